using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Durable;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;
using StreamFlow.Orchestrations.Connections;

namespace StreamFlow.Functions.Connections;

/// <summary>Connections to external systems (SAM.gov today): owners and admins manage them, test them and run their syncs (docs/connections.md).</summary>
public sealed class ConnectionFunctions(RequestBody body, ConnectionService connections, ConnectionSyncLauncher launcher, FunctionCatalog catalog)
{
    [Function("CreateConnection")]
    [ClientAccess(Permission.ConnectionsManage)]
    [ApiOperation("Creates a connection: kind (sam_gov), name, settings (the kind's filters), credentials (stored encrypted, never shown again), schedule (hourly, daily, manual).",
        Tag = "Connections", RequestBody = typeof(CreateConnection), Response = typeof(ConnectionView), SuccessStatus = 201, Problems = [403])]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/connections")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var create = await body.ReadJsonAsync<CreateConnection>(request, cancellationToken);
        var created = create.Succeeded ? await connections.CreateAsync(request.Client().TenantId, create.Value, cancellationToken) : create.Problem;
        return ApiResults.From(created, connection =>
        {
            request.HttpContext.Response.Headers.Location = $"/{catalog.RoutePrefix}/v1/connections/{connection.Id}";
            return ApiResults.Json(connection, StatusCodes.Status201Created);
        }, request);
    }

    [Function("ListConnections")]
    [ClientAccess(Permission.ConnectionsManage)]
    [ApiOperation("The business's connections, newest first, with health, cursor, counts and the last error.", Tag = "Connections",
        Response = typeof(ConnectionPage), Query = ["limit", "cursor"], Problems = [403])]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/connections")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var page = Paging.Read(request);
        var listed = page.Succeeded ? await connections.ListAsync(request.Client().TenantId, page.Value.Limit, page.Value.Cursor, cancellationToken) : page.Problem;
        return ApiResults.From(listed, result => ApiResults.Json(result), request);
    }

    [Function("GetConnection")]
    [ClientAccess(Permission.ConnectionsManage)]
    [ApiOperation("One connection (never its credentials).", Tag = "Connections", Response = typeof(ConnectionView), Problems = [403, 404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/connections/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await connections.GetAsync(request.Client().TenantId, id, cancellationToken), connection => ApiResults.Json(connection), request);

    [Function("UpdateConnection")]
    [ClientAccess(Permission.ConnectionsManage)]
    [ApiOperation("Changes a connection's name, settings, credentials (merged by name; new ones clear a broken health), schedule or enabled flag.",
        Tag = "Connections", RequestBody = typeof(UpdateConnection), Response = typeof(ConnectionView), Problems = [403, 404])]
    public async Task<IResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "v1/connections/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var update = await body.ReadJsonAsync<UpdateConnection>(request, cancellationToken);
        var updated = update.Succeeded ? await connections.UpdateAsync(request.Client().TenantId, id, update.Value, cancellationToken) : update.Problem;
        return ApiResults.From(updated, connection => ApiResults.Json(connection), request);
    }

    [Function("DeleteConnection")]
    [ClientAccess(Permission.ConnectionsManage)]
    [ApiOperation("Deletes a connection and its sync history; the leads it brought stay.", Tag = "Connections", SuccessStatus = 204, Problems = [403, 404])]
    public async Task<IResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/connections/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await connections.DeleteAsync(request.Client().TenantId, id, cancellationToken), _ => TypedResults.NoContent(), request);

    [Function("TestConnection")]
    [ClientAccess(Permission.ConnectionsManage)]
    [ApiOperation("Asks the vendor whether it accepts the connection's credentials and settings: ok, or the vendor's refusal and its kind (unauthorized, quotaExceeded, rateLimited, invalidRequest, unavailable).",
        Tag = "Connections", Response = typeof(ConnectionTestResult), Problems = [403, 404])]
    public async Task<IResult> Test(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/connections/{id:guid}/test")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await connections.TestAsync(request.Client().TenantId, id, cancellationToken), result => ApiResults.Json(result), request);

    [Function("StartConnectionSync")]
    [ClientAccess(Permission.ConnectionsManage)]
    [ApiOperation("Starts a sync now (a durable orchestration): 202 with statusUrl. One sync at a time per connection: while one runs, 409 names it (syncId, statusUrl).",
        Tag = "Connections", Response = typeof(OperationAccepted), SuccessStatus = 202, Problems = [403, 404, 409])]
    public async Task<IResult> StartSync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/connections/{id:guid}/syncs")] HttpRequest request,
        Guid id,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var started = await launcher.StartAsync(durable, request.Client().TenantId, id, "manual", cancellationToken);
        return ApiResults.From(started, opening => opening.Opened
            ? OperationUrls.Accepted(request, opening.Sync.Id.ToString(), SyncPath(id, opening.Sync.Id))
            : ApiResults.Problem(Running(request, id, opening.Sync.Id), request.HttpContext), request);
    }

    [Function("ListConnectionSyncs")]
    [ClientAccess(Permission.ConnectionsManage)]
    [ApiOperation("A connection's syncs, newest first.", Tag = "Connections", Response = typeof(ConnectionSyncPage), Query = ["limit", "cursor"], Problems = [403, 404])]
    public async Task<IResult> ListSyncs(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/connections/{id:guid}/syncs")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var page = Paging.Read(request);
        var listed = page.Succeeded ? await connections.ListSyncsAsync(request.Client().TenantId, id, page.Value.Limit, page.Value.Cursor, cancellationToken) : page.Problem;
        return ApiResults.From(listed, result => ApiResults.Json(result), request);
    }

    [Function("GetConnectionSync")]
    [ClientAccess(Permission.ConnectionsManage)]
    [ApiOperation("One sync's status (pending, running, completed, failed), progress counts, the Retry-After it is waiting out, and its error.",
        Tag = "Connections", Response = typeof(ConnectionSyncView), Problems = [403, 404])]
    public async Task<IResult> GetSync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/connections/{id:guid}/syncs/{syncId}")] HttpRequest request,
        Guid id,
        string syncId,
        CancellationToken cancellationToken) =>
        ApiResults.From(await connections.GetSyncAsync(request.Client().TenantId, id, syncId, cancellationToken), sync => ApiResults.Json(sync), request);

    private string SyncPath(Guid connectionId, Guid syncId) => $"{catalog.RoutePrefix}/v1/connections/{connectionId}/syncs/{syncId}";

    private Problem Running(HttpRequest request, Guid connectionId, Guid syncId) =>
        new(ProblemKind.Conflict, "A sync of this connection is already running; follow it at statusUrl.", Extensions: new Dictionary<string, object?>
        {
            ["syncId"] = syncId, ["statusUrl"] = OperationUrls.StatusUrl(request, SyncPath(connectionId, syncId)),
        });
}
