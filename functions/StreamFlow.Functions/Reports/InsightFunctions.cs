using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Reports.Insights;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Reports;

public sealed class InsightFunctions(InsightService insights)
{
    [Function("GetInsights")]
    [ClientAccess(Permission.ReportsRead)]
    [ApiOperation("Business insight for leads created from 'from' to 'to' (dates, default the last 365 days): conversion and won revenue "
        + "by source and by owner (with names), days in each pipeline stage and leads stuck there now, seasonality (yearly once 12 full "
        + "months of won revenue exist, weekly before) and the 30-day forecast's accuracy over the last six horizons.",
        Tag = "Reports", Response = typeof(BusinessInsight), Query = ["from", "to"], Problems = [400])]
    public async Task<IResult> Insights(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/insights")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var from = QueryParameters.Date(request, "from", errors);
        var to = QueryParameters.Date(request, "to", errors);
        if (errors.ToProblem() is { } invalid)
        {
            return ApiResults.Problem(invalid, request.HttpContext);
        }

        return ApiResults.From(await insights.InsightAsync(request.Client().TenantId, from, to, cancellationToken), insight => ApiResults.Json(insight), request);
    }
}
