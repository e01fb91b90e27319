using Microsoft.AspNetCore.Http;

namespace StreamFlow.Functions.Http;

/// <summary>
/// Headers on every answer of the API: answers carry tokens and personal data, so nothing may be cached on the way
/// (except the public OpenAPI document and health, which are the same for everyone), sniffed into another type or
/// framed by another site.
/// </summary>
public static class SecurityHeaders
{
    private static readonly string[] Cacheable = ["/api/openapi.json", "/api/health"];

    public static void Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
        {
            headers.ContentSecurityPolicy = "frame-ancestors 'none'";
        }
        if (!Cacheable.Any(path => context.Request.Path.Equals(path, StringComparison.OrdinalIgnoreCase)))
        {
            headers.CacheControl = "no-store";
        }
    }

    /// <summary>
    /// An error status without a body (a function's bare <c>TypedResults.StatusCode</c>, a framework refusal) gets a
    /// problem+json body, so that every error a client sees has the same shape.
    /// </summary>
    public static bool NeedsProblemBody(HttpResponse response) =>
        response.StatusCode >= 400 && !response.HasStarted && string.IsNullOrEmpty(response.ContentType);
}
