using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace StreamFlow.Functions.OpenApi;

public sealed class OpenApiFunctions(OpenApiDocumentBuilder document)
{
    [Function("OpenApiDocument")]
    [ApiOperation("The OpenAPI 3.1 document of every route.", Tag = "Platform")]
    public IResult Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request) =>
        TypedResults.Text(document.Json, "application/json; charset=utf-8");
}
