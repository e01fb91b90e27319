using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Functions.Http;

/// <summary>Implemented by request records that check their own fields after binding.</summary>
public interface IValidatableRequest
{
    void Validate(ValidationErrors errors);
}

/// <summary>
/// Reads JSON bodies the same way in both hosts: wrong content type, oversized, empty, malformed or mistyped
/// bodies become 4xx problems instead of the worker's 500.
/// </summary>
public sealed class RequestBody(HttpLimits limits)
{
    public async Task<Result<T>> ReadJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (!IsJson(request.ContentType))
        {
            return new Problem(ProblemKind.UnsupportedMediaType, "Send the body as application/json.");
        }

        if (request.ContentLength > limits.MaxJsonBodyBytes)
        {
            return TooLarge();
        }

        var buffer = await ReadLimitedAsync(request.Body, limits.MaxJsonBodyBytes, cancellationToken);
        if (buffer is null)
        {
            return TooLarge();
        }

        if (buffer.Length == 0)
        {
            return Problem.Validation("$", "The request body is empty.");
        }

        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(buffer, StreamFlowJson.Options);
        }
        catch (JsonException exception)
        {
            return Problem.Validation(FieldOf(exception), MessageOf(exception));
        }

        if (value is null)
        {
            return Problem.Validation("$", "The request body must be a JSON object.");
        }

        if (InputRules.Check(buffer) is { } refused)
        {
            return refused;
        }

        if (value is IValidatableRequest validatable)
        {
            var errors = new ValidationErrors();
            validatable.Validate(errors);
            if (errors.ToProblem() is { } problem)
            {
                return problem;
            }
        }

        return value;
    }

    /// <summary>Like <see cref="ReadJsonAsync{T}"/>, but a request without a body means <paramref name="whenEmpty"/>.</summary>
    public async Task<Result<T>> ReadOptionalJsonAsync<T>(HttpRequest request, T whenEmpty, CancellationToken cancellationToken)
        where T : class =>
        HasNoBody(request) ? whenEmpty : await ReadJsonAsync<T>(request, cancellationToken);

    // A chunked body has no Content-Length, so a missing length alone does not mean "no body".
    private static bool HasNoBody(HttpRequest request) =>
        request.ContentLength == 0
        || (request.ContentLength is null && (request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>() is { } detection
            ? !detection.CanHaveBody
            : request.Headers.TransferEncoding.Count == 0));

    /// <summary>The body exactly as sent (for signatures computed over the raw bytes), within the JSON size limit.</summary>
    public async Task<Result<byte[]>> ReadBytesAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limits.MaxJsonBodyBytes)
        {
            return TooLarge();
        }

        return await ReadLimitedAsync(request.Body, limits.MaxJsonBodyBytes, cancellationToken) is { } buffer ? buffer : TooLarge();
    }

    /// <summary>
    /// A non-JSON body (CSV, PDF, DOCX, or the file part of a multipart form) buffered within the rule's cap while it
    /// streams in, so a chunked body without Content-Length over the cap is 413 before anything stores it. The content
    /// is seekable and is disposed with the request.
    /// </summary>
    public async Task<Result<UploadedFile>> ReadFileAsync(HttpRequest request, UploadRule rule, CancellationToken cancellationToken)
    {
        var multipart = rule.AcceptsMultipart && request.HasFormContentType;
        if (!multipart && rule.MediaTypes.Count > 0 && !rule.MediaTypes.Contains(MediaTypeOf(request.ContentType), StringComparer.OrdinalIgnoreCase))
        {
            return new Problem(ProblemKind.UnsupportedMediaType, $"Send the file as {string.Join(" or ", rule.MediaTypes)}.");
        }

        var cap = multipart ? rule.MaxBytes + HttpLimits.MultipartOverheadBytes : rule.MaxBytes;
        var tooLarge = new Problem(ProblemKind.PayloadTooLarge, $"{rule.What} may be at most {rule.MaxBytes / (1024 * 1024)} MB.");
        if (request.ContentLength > cap)
        {
            return tooLarge;
        }

        var buffered = await BufferLimitedAsync(request.Body, cap, cancellationToken);
        if (buffered is null)
        {
            return tooLarge;
        }

        request.HttpContext.Response.RegisterForDisposeAsync(buffered);
        if (!multipart)
        {
            var fileName = request.Query["fileName"].ToString();
            return new UploadedFile(buffered, request.ContentType, fileName.Length > 0 ? fileName : null, buffered.Length);
        }

        request.Body = buffered;
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException or BadHttpRequestException)
        {
            // A multipart Content-Type on a body that is not multipart (or is cut short) ends up here.
            return Problem.Validation("file", "The multipart body could not be read.");
        }

        foreach (var (name, values) in form)
        {
            if (values.Select(v => InputRules.Refusal(v)).FirstOrDefault(r => r is not null) is { } refusal)
            {
                return Problem.Validation(name, refusal);
            }
        }

        var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
        return file is null
            ? Problem.Validation("file", "is required: send the document as a file part.")
            : new UploadedFile(file.OpenReadStream(), file.ContentType, file.FileName, file.Length);
    }

    private Problem TooLarge() =>
        new(ProblemKind.PayloadTooLarge, $"The request body must be at most {limits.MaxJsonBodyBytes} bytes.");

    private static string MediaTypeOf(string? contentType) => (contentType ?? "").Split(';', 2)[0].Trim();

    /// <summary>Copies the body into memory, spilling to a temporary file past 1 MB; null as soon as it passes the limit.</summary>
    private static async Task<Stream?> BufferLimitedAsync(Stream body, long limit, CancellationToken cancellationToken)
    {
        const int memoryThreshold = 1024 * 1024;
        Stream buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                await buffer.DisposeAsync();
                return null;
            }

            if (buffer is MemoryStream memory && memory.Length + read > memoryThreshold)
            {
                var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
                    FileOptions.Asynchronous | FileOptions.DeleteOnClose);
                memory.Position = 0;
                await memory.CopyToAsync(file, cancellationToken);
                buffer = file;
            }

            await buffer.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
        }

        buffer.Position = 0;
        return buffer;
    }

    private static bool IsJson(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return false;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<byte[]?> ReadLimitedAsync(Stream body, long limit, CancellationToken cancellationToken)
    {
        using var copy = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (copy.Length + read > limit)
            {
                return null;
            }

            copy.Write(chunk, 0, read);
        }

        return copy.ToArray();
    }

    private static string FieldOf(JsonException exception) =>
        string.IsNullOrEmpty(exception.Path) || exception.Path == "$" ? "$" : exception.Path.TrimStart('$', '.');

    private static string MessageOf(JsonException exception)
    {
        if (exception.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            return "has the wrong type.";
        }

        return exception.LineNumber is { } line
            ? $"is not valid JSON (line {line + 1}, position {exception.BytePositionInLine + 1})."
            : "is not valid JSON.";
    }
}

/// <summary>An upload read by <see cref="RequestBody.ReadFileAsync"/>: its seekable content and what the client said it is.</summary>
public sealed record UploadedFile(Stream Content, string? ContentType, string? FileName, long Length);
