using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Privacy.Retention;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Privacy;

/// <summary>A business's retention policy: read it, set it, and see what it would remove now (dry run).</summary>
public sealed class RetentionFunctions(RequestBody body, RetentionService retention)
{
    [Function("GetRetentionPolicy")]
    [ClientAccess(Permission.SettingsManage)]
    [ApiOperation("The business's retention periods (null keeps those records): lostLeadsMonths, auditYears, sessionsDays, webhookLogsDays.",
        Tag = "Privacy", Response = typeof(RetentionPolicyView), Problems = [403])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/privacy/retention")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await retention.PolicyAsync(request.Client().TenantId, cancellationToken));

    [Function("SetRetentionPolicy")]
    [ClientAccess(Permission.SettingsManage)]
    [ApiOperation("Sets the retention periods; applied every night (PrivacyRetentionSchedule). Lost leads are erased like a data-subject erasure "
        + "(invoices kept, pseudonymised), ended sessions and dispatched webhook logs deleted; audit entries are counted, never deleted.",
        Tag = "Privacy", RequestBody = typeof(RetentionPolicy), Response = typeof(RetentionPolicyView), Problems = [400, 403])]
    public async Task<IResult> Set(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/privacy/retention")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Client();
        var policy = await body.ReadJsonAsync<RetentionPolicy>(request, cancellationToken);
        var saved = policy.Succeeded ? await retention.SetPolicyAsync(caller.TenantId, caller.Actor, policy.Value, cancellationToken) : policy.Problem;
        return ApiResults.From(saved, view => ApiResults.Json(view), request);
    }

    [Function("DryRunRetentionPolicy")]
    [ClientAccess(Permission.SettingsManage)]
    [ApiOperation("What applying the policy now would remove, by kind of record with its cutoff; removes nothing.",
        Tag = "Privacy", Response = typeof(RetentionOutcome), Problems = [403])]
    public async Task<IResult> DryRun(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/privacy/retention/dry-run")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await retention.DryRunAsync(request.Client().TenantId, cancellationToken));
}

/// <summary>Applies every business's retention policy; safe to fire twice (what is past its cutoff is gone the first time).</summary>
public sealed class RetentionTimer(RetentionService retention, ILogger<RetentionTimer> logger)
{
    [Function("ApplyRetentionPolicies")]
    public async Task Run([TimerTrigger("%PrivacyRetentionSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var (tenants, failed) = await retention.ApplyAllAsync(cancellationToken);
        logger.LogInformation("Retention policies applied: {Tenants} tenants checked, {Failed} failed", tenants, failed);
    }
}
