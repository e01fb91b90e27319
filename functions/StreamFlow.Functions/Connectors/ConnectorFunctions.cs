using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Connections.OAuth;
using StreamFlow.Core.Connectors.Health;
using StreamFlow.Core.Connectors.QuickBooks;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Connectors;

/// <summary>Back-office connectors (docs/connectors.md): OAuth2 connect, the id map and sync log, and vendors' notifications.</summary>
public sealed class ConnectorFunctions(
    RequestBody body, OAuthAuthorizationService authorizations, ConnectorRecords records, QuickBooksNotifications quickBooks, ConnectorHealth health)
{
    [Function("GetConnectionsHealth")]
    [ClientAccess(Permission.ConnectionsManage)]
    [ApiOperation("Each connection's health: new, ok, error or broken; the last success and the last error; lagSeconds (how old its data is: since the last success, or since it was created); consecutiveFailures since the last success; and the failureAlertAfter that emails the owners once per breakage.",
        Tag = "Connections", Response = typeof(ConnectionHealthList), Problems = [403])]
    public async Task<IResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/connections/health")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await health.ListAsync(request.Client().TenantId, cancellationToken));

    [Function("StartConnectionAuthorization")]
    [ClientAccess(Permission.ConnectionsManage)]
    [ApiOperation("Starts connecting an OAuth2 connection (quickbooks): answers the vendor's consent URL with a single-use state and a PKCE S256 challenge, good for ten minutes.",
        Tag = "Connections", Response = typeof(OAuthAuthorizationStart), Problems = [403, 404, 409])]
    public async Task<IResult> StartAuthorization(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/connections/{id:guid}/authorizations")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var caller = request.Client();
        return ApiResults.From(await authorizations.StartAsync(caller.TenantId, caller.UserId, id, cancellationToken), start => ApiResults.Json(start), request);
    }

    [Function("CompleteConnectionAuthorization")]
    [AnonymousAccess("The vendor redirects the owner's browser here; the single-use state (bound to tenant, user and connection) is the credential.")]
    [ApiOperation("The OAuth2 redirect target: exchanges code (with the PKCE verifier) for tokens stored encrypted on the connection. A used, unknown-to-this-tenant or expired state is 410; error=access_denied is 422.",
        Tag = "Connections", Response = typeof(OAuthAuthorizationDone), Query = ["code", "state", "realmId", "error"], Problems = [400, 404, 410, 422])]
    public async Task<IResult> CompleteAuthorization(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/connectors/oauth/callback")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var parameters = request.Query.Where(q => q.Value.Count == 1).ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        return ApiResults.From(await authorizations.CompleteAsync(parameters, cancellationToken), done => ApiResults.Json(done), request);
    }

    [Function("ListConnectionRecords")]
    [ClientAccess(Permission.ConnectionsManage)]
    [ApiOperation("The id map of a connection: which vendor record (customer, invoice, ...) each of ours became, its SyncToken and vendor-side status (an invoice's paid, partially_paid or open and balance).",
        Tag = "Connections", Response = typeof(ConnectorRecordPage), Query = ["entity", "limit", "cursor"], Problems = [403, 404])]
    public async Task<IResult> ListRecords(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/connections/{id:guid}/records")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var page = Paging.Read(request);
        var entity = request.Query["entity"].ToString() is { Length: > 0 } named ? named : null;
        var listed = page.Succeeded ? await records.ListAsync(request.Client().TenantId, id, entity, page.Value.Limit, page.Value.Cursor, cancellationToken) : page.Problem;
        return ApiResults.From(listed, result => ApiResults.Json(result), request);
    }

    [Function("GetConnectionSyncLog")]
    [ClientAccess(Permission.ConnectionsManage)]
    [ApiOperation("What one sync did to each record, in order: created, updated, skipped, conflict or failed, and why (the vendor's message on a failure).",
        Tag = "Connections", Response = typeof(SyncLogPage), Query = ["limit", "cursor"], Problems = [403, 404])]
    public async Task<IResult> SyncLog(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/connections/{id:guid}/syncs/{syncId}/log")] HttpRequest request,
        Guid id,
        string syncId,
        CancellationToken cancellationToken)
    {
        var page = Paging.Read(request);
        var listed = page.Succeeded ? await records.LogPageAsync(request.Client().TenantId, id, syncId, page.Value.Limit, page.Value.Cursor, cancellationToken) : page.Problem;
        return ApiResults.From(listed, result => ApiResults.Json(result), request);
    }

    [Function("ReceiveQuickBooksNotification")]
    [AnonymousAccess("Intuit signs the payload with the app's verifier token (intuit-signature); the signature is checked instead of a bearer token.")]
    [ApiOperation("Receives QuickBooks Online webhook notifications signed with intuit-signature (base64 HMAC-SHA256 of the body); 401 when it does not verify; brings the syncs of the named companies forward.",
        Tag = "Connections", Response = typeof(QuickBooksNotificationReceipt), Problems = [400, 401, 503])]
    public async Task<IResult> ReceiveQuickBooks(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/connectors/quickbooks/notifications")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var payload = await body.ReadBytesAsync(request, cancellationToken);
        var received = payload.Succeeded
            ? await quickBooks.ReceiveAsync(payload.Value, request.Headers[QuickBooksNotifications.SignatureHeader].ToString(), cancellationToken)
            : payload.Problem;
        return ApiResults.From(received, receipt => ApiResults.Json(receipt), request);
    }
}
