using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Functions.Http;

/// <summary>The one place where Core outcomes become HTTP responses.</summary>
public static class ApiResults
{
    public static IResult Json<T>(T value, int statusCode = StatusCodes.Status200OK) =>
        TypedResults.Json(value, StreamFlowJson.Options, statusCode: statusCode);

    public static IResult From<T>(Result<T> result, Func<T, IResult> onSuccess, HttpRequest request) =>
        result.Succeeded ? onSuccess(result.Value) : Problem(result.Problem, request.HttpContext);

    public static IResult Problem(Problem problem, HttpContext context) =>
        new ProblemResult(StatusOf(problem.Kind), Describe(problem.Kind), problem.Detail, problem.Errors, problem.RetryAfter, context.TraceIdentifier, problem.Extensions);

    public static IResult Problem(int status, string title, string detail, HttpContext context) =>
        new ProblemResult(status, (TypeOf(status), title), detail, null, null, context.TraceIdentifier, null);

    public static int StatusOf(ProblemKind kind) => kind switch
    {
        ProblemKind.Validation => StatusCodes.Status400BadRequest,
        ProblemKind.Unauthorized => StatusCodes.Status401Unauthorized,
        ProblemKind.PaymentRequired => StatusCodes.Status402PaymentRequired,
        ProblemKind.Forbidden => StatusCodes.Status403Forbidden,
        ProblemKind.NotFound => StatusCodes.Status404NotFound,
        ProblemKind.Conflict => StatusCodes.Status409Conflict,
        ProblemKind.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        ProblemKind.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        ProblemKind.Unprocessable => StatusCodes.Status422UnprocessableEntity,
        ProblemKind.RateLimited => StatusCodes.Status429TooManyRequests,
        ProblemKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ProblemKind.Gone => StatusCodes.Status410Gone,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static (string Type, string Title) Describe(ProblemKind kind) => kind switch
    {
        ProblemKind.Validation => (TypeOf(400), "The request is not valid"),
        ProblemKind.Unauthorized => (TypeOf(401), "Authentication is required"),
        ProblemKind.PaymentRequired => (TypeOf(402), "The budget is exhausted"),
        ProblemKind.Forbidden => (TypeOf(403), "Not allowed"),
        ProblemKind.NotFound => (TypeOf(404), "Not found"),
        ProblemKind.Conflict => (TypeOf(409), "Conflict"),
        ProblemKind.PayloadTooLarge => (TypeOf(413), "The request body is too large"),
        ProblemKind.UnsupportedMediaType => (TypeOf(415), "Unsupported content type"),
        ProblemKind.Unprocessable => (TypeOf(422), "The request cannot be carried out"),
        ProblemKind.RateLimited => (TypeOf(429), "Too many requests"),
        ProblemKind.Unavailable => (TypeOf(503), "A dependency is unavailable"),
        ProblemKind.Gone => (TypeOf(410), "No longer available"),
        _ => (TypeOf(500), "Unexpected error"),
    };

    private static string TypeOf(int status) => $"https://www.rfc-editor.org/rfc/rfc9110#status.{status}";

    private sealed class ProblemResult(
        int status,
        (string Type, string Title) description,
        string detail,
        IReadOnlyDictionary<string, string[]>? errors,
        TimeSpan? retryAfter,
        string traceId,
        IReadOnlyDictionary<string, object?>? extensions) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = status;
            if (retryAfter is { } delay)
            {
                response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            var body = new ProblemBody(description.Type, description.Title, status, detail, httpContext.Request.Path, traceId, errors) { Extensions = extensions?.ToDictionary() };
            response.ContentType = "application/problem+json; charset=utf-8";
            return JsonSerializer.SerializeAsync(response.Body, body, StreamFlowJson.Options, httpContext.RequestAborted);
        }
    }
}

/// <summary>RFC 9457 problem details as StreamFlow writes them.</summary>
public sealed record ProblemBody(
    string Type,
    string Title,
    int Status,
    string Detail,
    string Instance,
    string TraceId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string[]>? Errors)
{
    /// <summary>Problem-specific members (RFC 9457 extensions), e.g. <c>existingLeadId</c> on a duplicate.</summary>
    [JsonExtensionData]
    public Dictionary<string, object?>? Extensions { get; init; }
}
