using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Functions.Http;

namespace StreamFlow.Functions.OpenApi;

public sealed class OpenApiFunctions(OpenApiDocumentBuilder document)
{
    [Function("OpenApiDocument")]
    [AnonymousAccess("The API description is public.")]
    [ApiOperation("The OpenAPI 3.1 document of every route.", Tag = "Platform")]
    public IResult Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request) =>
        TypedResults.Text(document.Json, "application/json; charset=utf-8");
}
