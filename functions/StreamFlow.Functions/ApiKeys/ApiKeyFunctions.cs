using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.ApiKeys;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.ApiKeys;

/// <summary>API keys for a client business's integrations: owners and admins create, list, revoke and rotate them (docs/api-keys.md).</summary>
public sealed class ApiKeyFunctions(RequestBody body, ApiKeyService apiKeys, FunctionCatalog catalog)
{
    [Function("CreateApiKey")]
    [ClientAccess(Permission.ApiKeysManage)]
    [ApiOperation("Creates an API key with scopes drawn from the permissions; the key (sf_live_...) is in this response only.", Tag = "API keys",
        RequestBody = typeof(CreateApiKey), Response = typeof(CreatedApiKey), SuccessStatus = 201, Problems = [403])]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/api-keys")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var create = await body.ReadJsonAsync<CreateApiKey>(request, cancellationToken);
        var created = create.Succeeded ? await apiKeys.CreateAsync(request.Client(), create.Value, RequestOrigins.Of(request), cancellationToken) : create.Problem;
        return ApiResults.From(created, key => Created(request, key), request);
    }

    [Function("ListApiKeys")]
    [ClientAccess(Permission.ApiKeysManage)]
    [ApiOperation("The business's API keys, newest first, with prefix, scopes, expiry, last use and status (never the key).", Tag = "API keys",
        Response = typeof(ApiKeyPage), Query = ["limit", "cursor"], Problems = [403])]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/api-keys")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var page = Paging.Read(request);
        var keys = page.Succeeded ? await apiKeys.ListAsync(request.Client().TenantId, page.Value.Limit, page.Value.Cursor, cancellationToken) : page.Problem;
        return ApiResults.From(keys, result => ApiResults.Json(result), request);
    }

    [Function("GetApiKey")]
    [ClientAccess(Permission.ApiKeysManage)]
    [ApiOperation("One API key (never the key itself).", Tag = "API keys", Response = typeof(ApiKeyView), Problems = [403, 404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/api-keys/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await apiKeys.GetAsync(request.Client().TenantId, id, cancellationToken), key => ApiResults.Json(key), request);

    [Function("RevokeApiKey")]
    [ClientAccess(Permission.ApiKeysManage)]
    [ApiOperation("Revokes a key at once: its next call is a 401.", Tag = "API keys", Response = typeof(ApiKeyView), Problems = [403, 404])]
    public async Task<IResult> Revoke(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/api-keys/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await apiKeys.RevokeAsync(request.Client(), id, RequestOrigins.Of(request), cancellationToken), key => ApiResults.Json(key), request);

    [Function("RotateApiKey")]
    [ClientAccess(Permission.ApiKeysManage)]
    [ApiOperation("Issues a successor key (shown once) with the same name and scopes; the old key works until oldKeyValidUntil (default 24 h, at most 30 days).",
        Tag = "API keys", RequestBody = typeof(RotateApiKey), Response = typeof(CreatedApiKey), SuccessStatus = 201, Problems = [403, 404, 409])]
    public async Task<IResult> Rotate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/api-keys/{id:guid}/rotate")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var rotate = await body.ReadOptionalJsonAsync(request, new RotateApiKey(null, null), cancellationToken);
        var rotated = rotate.Succeeded ? await apiKeys.RotateAsync(request.Client(), id, rotate.Value, RequestOrigins.Of(request), cancellationToken) : rotate.Problem;
        return ApiResults.From(rotated, key => Created(request, key), request);
    }

    private IResult Created(HttpRequest request, CreatedApiKey key)
    {
        request.HttpContext.Response.Headers.Location = $"/{catalog.RoutePrefix}/v1/api-keys/{key.ApiKey.Id}";
        return ApiResults.Json(key, StatusCodes.Status201Created);
    }
}
