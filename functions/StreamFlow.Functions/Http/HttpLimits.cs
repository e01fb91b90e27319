namespace StreamFlow.Functions.Http;

public sealed record HttpLimits(long MaxJsonBodyBytes)
{
    public const long DefaultMaxJsonBodyBytes = 1024 * 1024;

    /// <summary>Room for the multipart envelope around a file of the maximum size.</summary>
    public const long MultipartOverheadBytes = 64 * 1024;
}

/// <summary>
/// What a route accepts as a non-JSON body: at most <paramref name="MaxBytes"/> bytes of one of
/// <paramref name="MediaTypes"/> (any type when empty), optionally as the file part of a multipart form.
/// <paramref name="What"/> names the file in problems ("A CSV import may be at most 50 MB.").
/// </summary>
public sealed record UploadRule(string What, long MaxBytes, IReadOnlyList<string> MediaTypes, bool AcceptsMultipart = false);
