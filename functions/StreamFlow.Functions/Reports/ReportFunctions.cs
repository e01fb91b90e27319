using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Identity.Systems;
using StreamFlow.Core.Reports;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Reports;

/// <summary>The executive report: its numbers as JSON, sending it now, each user's subscription, and the provider's cross-client report.</summary>
public sealed class ReportFunctions(
    RequestBody body,
    ReportGenerator reports,
    ReportDeliveryService delivery,
    ReportSubscriptionService subscriptions,
    ProviderReportService providerReports)
{
    [Function("GetReportSummary")]
    [ClientAccess(Permission.ReportsRead)]
    [ApiOperation("The report's numbers for period=day|week|month in the business's time zone: the period containing date=YYYY-MM-DD, or the last complete one.",
        Tag = "Reports", Response = typeof(ReportSummary))]
    public async Task<IResult> Summary(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/reports/summary")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var query = ReadPeriod(request);
        return query.Succeeded
            ? ApiResults.Json(await reports.GenerateAsync(request.Client().TenantId, query.Value.Kind, query.Value.Date, cancellationToken))
            : ApiResults.Problem(query.Problem, request.HttpContext);
    }

    [Function("SendReport")]
    [ClientAccess(Permission.ReportsSend)]
    [ApiOperation("Sends the report now (period day|week|month, optional date) to the caller (to=me, the default) or to the users subscribed to that cadence (to=subscribers).",
        Tag = "Reports", RequestBody = typeof(SendReportRequest), Response = typeof(SentReports), Problems = [403, 422, 503])]
    public async Task<IResult> Send(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/reports/send")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var send = await body.ReadJsonAsync<SendReportRequest>(request, cancellationToken);
        return send.Succeeded
            ? ApiResults.From(await delivery.SendNowAsync(request.Client(), send.Value, cancellationToken), sent => ApiResults.Json(sent), request)
            : ApiResults.Problem(send.Problem, request.HttpContext);
    }

    [Function("GetReportSubscription")]
    [ClientAccess(Permission.Self)]
    [ApiOperation("The caller's own report subscription: which cadences they receive, and when reports are sent.", Tag = "Reports",
        Response = typeof(ReportSubscription))]
    public async Task<IResult> Subscription(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/reports/subscription")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await subscriptions.GetAsync(request.Client(), cancellationToken));

    [Function("ChangeReportSubscription")]
    [ClientAccess(Permission.Self)]
    [ApiOperation("Opts the caller in or out of the daily, weekly and monthly reports; a missing field keeps its value, all false opts out.",
        Tag = "Reports", RequestBody = typeof(ReportSubscriptionChange), Response = typeof(ReportSubscription))]
    public async Task<IResult> ChangeSubscription(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/reports/subscription")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var change = await body.ReadJsonAsync<ReportSubscriptionChange>(request, cancellationToken);
        return change.Succeeded
            ? ApiResults.Json(await subscriptions.ChangeAsync(request.Client(), change.Value, cancellationToken))
            : ApiResults.Problem(change.Problem, request.HttpContext);
    }

    [Function("GetProviderReportSummary")]
    [ProviderAccess]
    [ApiOperation("The cross-client report for period=day|week|month in UTC (date=YYYY-MM-DD or the last complete period): totals and one row of aggregates per client business, no lead-level data.",
        Tag = "Provider", Response = typeof(ProviderReport))]
    public async Task<IResult> ProviderSummary(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/reports/summary")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var query = ReadPeriod(request);
        return query.Succeeded
            ? ApiResults.Json(await providerReports.GenerateAsync(query.Value.Kind, query.Value.Date, cancellationToken))
            : ApiResults.Problem(query.Problem, request.HttpContext);
    }

    private static Result<(ReportPeriodKind Kind, DateOnly? Date)> ReadPeriod(HttpRequest request)
    {
        var errors = new ValidationErrors();
        var periodText = request.Query["period"].ToString();
        var kind = ReportPeriodKind.Day;
        if (periodText.Length > 0 && !ReportPeriod.TryParseKind(periodText, out kind))
        {
            errors.Add("period", "must be day, week or month.");
        }

        var date = QueryParameters.Date(request, "date", errors);
        return errors.ToProblem() is { } problem ? problem : (kind, date);
    }
}
