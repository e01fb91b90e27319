using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.ClientSuccess;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.ClientSuccess;

/// <summary>Churn risk for the provider: every client business by risk, and one business's signals, reasons and playbook.</summary>
public sealed class ClientSuccessFunctions(ClientSuccessService clientSuccess)
{
    [Function("ListProviderChurnRisks")]
    [ProviderAccess]
    [ApiOperation("Every active client business by churn risk, highest first: the probability it leaves within the model's horizon, its band "
        + "(high ≥ 0.3, medium ≥ 0.1, low) and up to 3 reasons (the factors that raised its risk most); band filters.",
        Tag = "Provider", Response = typeof(ChurnRiskReport), Problems = [400])]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/churn-risks")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.From(await clientSuccess.ListAsync(QueryParameters.Text(request, "band"), cancellationToken), report => ApiResults.Json(report), request);

    [Function("GetProviderChurnRisk")]
    [ProviderAccess]
    [ApiOperation("One client business's churn risk: the signals it was computed from (counts only), every factor's value and contribution "
        + "to the log-odds, the reasons and the playbook's suggested actions for them. The read is recorded in the business's audit trail.",
        Tag = "Provider", Response = typeof(ClientRiskDetail), Problems = [404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/tenants/{id:guid}/churn-risk")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await clientSuccess.ForTenantAsync(id, $"provider:{request.Operator().Email}", RequestOrigins.Of(request), cancellationToken), detail => ApiResults.Json(detail), request);
}
