using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.LeadSources;
using StreamFlow.Core.LeadSources.Attribution;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.LeadSources;

/// <summary>What each lead source costs and brings (docs/lead-sources.md, "Attribution"), and where a lead's pieces came from.</summary>
public sealed class AttributionFunctions(RequestBody body, AttributionService attribution, SourceLeadWriter sources)
{
    [Function("SetLeadSourceCost")]
    [ClientAccess(Permission.LeadSourcesManage)]
    [ApiOperation("Sets the monthly cost of a lead source (the leads' source value, URL-encoded in the path): amount as a decimal string and currency.",
        Tag = "Lead sources", RequestBody = typeof(SourceCostInput), Response = typeof(SourceCostView), Problems = [403])]
    public async Task<IResult> SetCost(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/lead-sources/costs/{source}")] HttpRequest request,
        string source,
        CancellationToken cancellationToken)
    {
        var input = await body.ReadJsonAsync<SourceCostInput>(request, cancellationToken);
        var set = input.Succeeded ? await attribution.SetCostAsync(request.Client().TenantId, Uri.UnescapeDataString(source), input.Value, cancellationToken) : input.Problem;
        return ApiResults.From(set, cost => ApiResults.Json(cost), request);
    }

    [Function("ListLeadSourceCosts")]
    [ClientAccess(Permission.LeadSourcesManage)]
    [ApiOperation("The monthly costs set per lead source.", Tag = "Lead sources", Response = typeof(SourceCostList), Problems = [403])]
    public async Task<IResult> ListCosts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/lead-sources/costs")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await attribution.CostsAsync(request.Client().TenantId, cancellationToken));

    [Function("DeleteLeadSourceCost")]
    [ClientAccess(Permission.LeadSourcesManage)]
    [ApiOperation("Removes a source's monthly cost.", Tag = "Lead sources", SuccessStatus = 204, Problems = [403, 404])]
    public async Task<IResult> DeleteCost(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/lead-sources/costs/{source}")] HttpRequest request,
        string source,
        CancellationToken cancellationToken) =>
        ApiResults.From(await attribution.DeleteCostAsync(request.Client().TenantId, Uri.UnescapeDataString(source), cancellationToken), _ => TypedResults.NoContent(), request);

    [Function("GetLeadSourceAttribution")]
    [ClientAccess(Permission.ReportsRead)]
    [ApiOperation("Per source, for the leads created in the months from..to (yyyy-MM, inclusive; default this month): leads, won, won revenue, cost (monthly cost × months + per-lead costs), cost per won job and per lead; money one object per currency.",
        Tag = "Lead sources", Response = typeof(AttributionReport), Query = ["from", "to"], Problems = [403])]
    public async Task<IResult> Attribution(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/lead-sources/attribution")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.From(await attribution.ReportAsync(request.Client().TenantId, request.Query["from"].FirstOrDefault(), request.Query["to"].FirstOrDefault(), cancellationToken),
            report => ApiResults.Json(report), request);

    [Function("GetLeadSources")]
    [ClientAccess(Permission.LeadsRead)]
    [ApiOperation("Where a lead came from: each external record it stands for (source, external id, status there, first and last seen, connection) and the documents those sources attached, with what became of each.",
        Tag = "Lead sources", Response = typeof(LeadSourcesView), Problems = [403, 404])]
    public async Task<IResult> LeadSources(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/leads/{id:guid}/sources")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await sources.SourcesOfAsync(request.Client().TenantId, id, cancellationToken), view => ApiResults.Json(view), request);
}
