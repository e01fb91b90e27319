using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Identity.Systems;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Audit;

public sealed class AuditFunctions(
    AuditTrail trail,
    AuditChainVerifier verifier,
    AuditChainHeadPublisher heads,
    ILogger<AuditFunctions> logger)
{
    [Function("ListAuditTrail")]
    [ClientAccess(Permission.AuditRead)]
    [ApiOperation("The business's audit trail, newest first.", Tag = "Audit", Response = typeof(AuditTrailPage), Problems = [403])]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/audit")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var page = Paging.Read(request);
        return page.Succeeded
            ? ApiResults.Json(await trail.PageAsync(request.Client().TenantId, page.Value.Limit, page.Value.Cursor, cancellationToken))
            : ApiResults.Problem(page.Problem, request.HttpContext);
    }

    [Function("VerifyAuditChain")]
    [DeveloperAccess]
    [ApiOperation("Recomputes the whole hash chain: edits, deletions, reordering and truncation are reported.", Tag = "Developer",
        Response = typeof(AuditChainVerification))]
    public async Task<IResult> Verify(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/dev/audit/verify")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await verifier.VerifyAsync(cancellationToken));

    [Function("PublishAuditChainHead")]
    public async Task PublishChainHead([TimerTrigger("%AuditChainHeadSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var head = await heads.PublishAsync(cancellationToken);
        logger.LogInformation("Published audit chain head at sequence {Sequence}", head.Sequence);
    }
}
