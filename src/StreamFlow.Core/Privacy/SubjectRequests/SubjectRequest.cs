using System.Net.Mail;

namespace StreamFlow.Core.Privacy.SubjectRequests;

/// <summary>A data-subject request as a caller starts it: an export (GDPR art. 15/20, CCPA "know") or an erasure (art. 17, CCPA "delete") of the person with this email or phone.</summary>
/// <param name="Kind">export or erasure.</param>
/// <param name="Email">The person's email address (exactly one of email and phone).</param>
/// <param name="Phone">The person's phone number, any formatting.</param>
public sealed record SubjectRequestInput(string? Kind, string? Email, string? Phone);

/// <summary>Where the export of a completed request can be downloaded, until <see cref="ExpiresAt"/>.</summary>
public sealed record SubjectRequestDownloads(string Json, string Csv, DateTimeOffset ExpiresAt);

/// <summary>
/// A data-subject request's progress and result. <see cref="Found"/> counts the records found (export) or changed
/// (erasure) by kind; <see cref="NothingFound"/> is true when no record of the person exists (a completed request, not an error).
/// The person's email or phone is never shown back: the request holds only its blind index.
/// </summary>
public sealed record SubjectRequestStatus(
    Guid Id,
    string Kind,
    string Status,
    string SubjectKind,
    IReadOnlyDictionary<string, int> Found,
    bool NothingFound,
    SubjectRequestDownloads? Downloads,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt);

/// <summary>A downloaded export file.</summary>
public sealed record SubjectExportFile(byte[] Content, string ContentType, string FileName);

public static class SubjectRequestKinds
{
    public const string Export = "export";
    public const string Erasure = "erasure";
}

/// <summary>The person's email or phone normalised as the blind index reads it (<see cref="PersonalFields"/>, which leads use too).</summary>
public static class SubjectIdentifiers
{
    public static string? NormalizeEmail(string? email) => PersonalFields.NormalizeEmail(email);

    public static string? NormalizePhone(string? phone) => PersonalFields.NormalizePhone(phone);

    public static bool IsEmail(string email) =>
        email.Length <= 320 && MailAddress.TryCreate(email, out var parsed) && string.Equals(parsed.Address, email, StringComparison.OrdinalIgnoreCase);
}
