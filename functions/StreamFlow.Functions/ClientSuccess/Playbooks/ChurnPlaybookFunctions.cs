using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.ClientSuccess.Playbooks;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.ClientSuccess.Playbooks;

/// <summary>The provider's churn playbooks: rules, their nightly evaluation, one business's evaluation now, and what they did.</summary>
public sealed class ChurnPlaybookFunctions(RequestBody body, ChurnPlaybookService playbooks, ILogger<ChurnPlaybookFunctions> logger)
{
    [Function("CreateChurnPlaybook")]
    [ProviderAccess]
    [ApiOperation("A rule: when a business's churn risk is at least minRisk and factor (optional) is among its reasons, take the actions "
        + "(emailOwner with subject and body, createTask for an account manager, alertProvider, offerCredit with amountMinor, currency, yearlyLimitMinor and reason: "
        + "account credit, refused and audited above the yearly limit), at most once per business per month. Audited.",
        Tag = "Provider", RequestBody = typeof(ChurnPlaybookInput), Response = typeof(ChurnPlaybookRule), SuccessStatus = 201)]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/provider/churn-playbooks")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var input = await body.ReadJsonAsync<ChurnPlaybookInput>(request, cancellationToken);
        var created = input.Succeeded
            ? await playbooks.CreateAsync(input.Value, $"provider:{request.Operator().Email}", RequestOrigins.Of(request), cancellationToken)
            : input.Problem;
        return ApiResults.From(created, rule => ApiResults.Json(rule, StatusCodes.Status201Created), request);
    }

    [Function("ListChurnPlaybooks")]
    [ProviderAccess]
    [ApiOperation("Every playbook rule, active or not, oldest first.", Tag = "Provider", Response = typeof(ChurnPlaybookList))]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/churn-playbooks")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await playbooks.ListAsync(cancellationToken));

    [Function("DeactivateChurnPlaybook")]
    [ProviderAccess]
    [ApiOperation("Stops a rule; what it did stays. Audited.", Tag = "Provider", SuccessStatus = 204, Problems = [404])]
    public async Task<IResult> Deactivate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/provider/churn-playbooks/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await playbooks.DeactivateAsync(id, $"provider:{request.Operator().Email}", RequestOrigins.Of(request), cancellationToken),
            _ => TypedResults.NoContent(), request);

    [Function("EvaluateTenantChurnPlaybooks")]
    [ProviderAccess]
    [ApiOperation("Evaluates every active rule for one business now (the nightly timer does all of them); a rule that already acted "
        + "this month does not act again. Settles the outcome of its earlier runs.", Tag = "Provider", Response = typeof(PlaybookEvaluation), Problems = [404])]
    public async Task<IResult> Evaluate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/provider/tenants/{id:guid}/churn-playbook-evaluations")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await playbooks.EvaluateAsync(id, cancellationToken), evaluation => ApiResults.Json(evaluation), request);

    [Function("ListTenantChurnPlaybookRuns")]
    [ProviderAccess]
    [ApiOperation("What the rules did for one business (newest first, at most 500): the actions and the outcome (pending, stayed, churned).",
        Tag = "Provider", Response = typeof(PlaybookRunList), Problems = [404])]
    public async Task<IResult> Runs(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/tenants/{id:guid}/churn-playbook-runs")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await playbooks.RunsAsync(id, cancellationToken), runs => ApiResults.Json(runs), request);

    [Function("EvaluateChurnPlaybooks")]
    public async Task Nightly([TimerTrigger("%ClientSuccess:PlaybookSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var evaluation = await playbooks.EvaluateAsync(null, cancellationToken);
        logger.LogInformation("Churn playbooks: {Businesses} businesses, {Triggered} runs, {Already} already acted this month, {Settled} outcomes settled",
            evaluation.Value!.Businesses, evaluation.Value.Triggered.Count, evaluation.Value.AlreadyActed, evaluation.Value.OutcomesSettled);
    }
}
