using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Functions.Http;

namespace StreamFlow.Functions.OpenApi;

public sealed class OpenApiFunctions(OpenApiDocumentBuilder document, ApiReferencePage reference)
{
    [Function("OpenApiDocument")]
    [AnonymousAccess("The API description is public.")]
    [ApiOperation("The OpenAPI 3.1 document of every route.", Tag = "Platform")]
    public IResult Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request) =>
        TypedResults.Text(document.Json, "application/json; charset=utf-8");

    [Function("ApiReference")]
    [AnonymousAccess("The API reference page shows the public API description; calls made from it carry the reader's own token.")]
    [ApiOperation("The interactive API reference page (HTML), rendered from the OpenAPI document by this app's own script.", Tag = "Platform")]
    public IResult Reference([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "docs")] HttpRequest request) =>
        Serve(request, reference.Page);

    [Function("ApiReferenceAsset")]
    [AnonymousAccess("The script and style sheet of the public API reference page.")]
    [ApiOperation("A script or style sheet of the API reference page.", Tag = "Platform", Problems = [404])]
    public IResult ReferenceAsset([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "docs/{asset}")] HttpRequest request, string asset) =>
        reference.Asset(asset) is { } found
            ? Serve(request, found)
            : ApiResults.Problem(StatusCodes.Status404NotFound, "Not found", $"The API reference has no asset named '{asset}'.", request.HttpContext);

    private static IResult Serve(HttpRequest request, ReferenceAsset asset)
    {
        request.HttpContext.Response.Headers.ContentSecurityPolicy = ApiReferencePage.ContentSecurityPolicy;
        return TypedResults.Bytes(asset.Content, asset.ContentType);
    }
}
