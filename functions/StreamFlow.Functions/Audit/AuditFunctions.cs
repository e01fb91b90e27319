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
    ClientAuthenticator clients,
    OperatorAuthenticator operators,
    AuditTrail trail,
    AuditChainVerifier verifier,
    AuditChainHeadPublisher heads,
    ILogger<AuditFunctions> logger)
{
    [Function("ListAuditTrail")]
    [ApiOperation("The business's audit trail, newest first.", Tag = "Audit", Auth = ApiAuth.Client, Response = typeof(AuditTrailPage), Problems = [403])]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/audit")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = await clients.AuthorizeAsync(request, Permission.AuditRead, cancellationToken);
        if (!caller.Succeeded)
        {
            return ApiResults.Problem(caller.Problem, request.HttpContext);
        }

        var page = Paging.Read(request);
        return page.Succeeded
            ? ApiResults.Json(await trail.PageAsync(caller.Value.TenantId, page.Value.Limit, page.Value.Cursor, cancellationToken))
            : ApiResults.Problem(page.Problem, request.HttpContext);
    }

    [Function("VerifyAuditChain")]
    [ApiOperation("Recomputes the whole hash chain: edits, deletions, reordering and truncation are reported.", Tag = "Developer",
        Auth = ApiAuth.Developer, Response = typeof(AuditChainVerification))]
    public async Task<IResult> Verify(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/dev/audit/verify")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = await operators.AuthenticateAsync(request, OperatorSystem.Developer);
        return caller.Succeeded
            ? ApiResults.Json(await verifier.VerifyAsync(cancellationToken))
            : ApiResults.Problem(caller.Problem, request.HttpContext);
    }

    [Function("PublishAuditChainHead")]
    public async Task PublishChainHead([TimerTrigger("%AuditChainHeadSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var head = await heads.PublishAsync(cancellationToken);
        logger.LogInformation("Published audit chain head at sequence {Sequence}", head.Sequence);
    }
}
