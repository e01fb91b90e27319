namespace StreamFlow.Core.Kernel;

/// <summary>The kinds of expected failure a Core service reports; each maps to one HTTP status.</summary>
public enum ProblemKind
{
    Validation,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    Unprocessable,
    RateLimited,
    PaymentRequired,
    Unavailable,

    /// <summary>The resource existed and is no longer available (a used or expired single-purpose link): 410.</summary>
    Gone,
}

/// <summary>An expected failure: what went wrong, said so that the caller can fix it.</summary>
public sealed record Problem(
    ProblemKind Kind,
    string Detail,
    IReadOnlyDictionary<string, string[]>? Errors = null,
    TimeSpan? RetryAfter = null,
    IReadOnlyDictionary<string, object?>? Extensions = null)
{
    public static Problem Validation(string field, string message) =>
        new(ProblemKind.Validation, "The request is not valid.", new Dictionary<string, string[]> { [field] = [message] });

    public static Problem Validation(IReadOnlyDictionary<string, string[]> errors) =>
        new(ProblemKind.Validation, "The request is not valid.", errors);

    public static Problem NotFound(string what) => new(ProblemKind.NotFound, $"{what} was not found.");

    public static Problem Conflict(string detail) => new(ProblemKind.Conflict, detail);

    public static Problem Unauthorized(string detail) => new(ProblemKind.Unauthorized, detail);

    public static Problem Forbidden(string detail) => new(ProblemKind.Forbidden, detail);
}
