using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace StreamFlow.Functions.Http;

/// <summary>
/// The lowest-precedence route under the prefix: an unknown path gets a problem+json 404 in both hosts rather than
/// the host's empty response.
/// </summary>
public sealed class NotFoundFunction
{
    [Function("UnknownRoute")]
    [AnonymousAccess("An unknown route answers 404 to anyone.")]
    public IResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "patch", "delete", Route = "{*path}")] HttpRequest request,
        string? path) =>
        ApiResults.Problem(
            StatusCodes.Status404NotFound,
            "Not found",
            $"No route matches {request.Method} {request.Path}. The API is described at /api/openapi.json.",
            request.HttpContext);
}
