using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.ProviderAudit;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.ProviderAudit;

/// <summary>
/// The export of what the provider did with one business's data (docs/provider-audit.md): for the provider, and for
/// the business's owners and admins, who may ask for it.
/// </summary>
public sealed class ProviderAccessFunctions(ProviderAccessLog log, TimeProvider timeProvider)
{
    private const string Summary = "Every request the provider made about the business and every change it made, from the audit chain: "
        + "time, provider identity, route, outcome, origin. from and to are UTC dates, both included (default: the last 30 days, at most 366); "
        + "format=csv answers text/csv, otherwise JSON. More than 10,000 entries is a 422 (ask for a shorter period).";

    [Function("ExportProviderAccessForTenant")]
    [ProviderAccess]
    [ApiOperation(Summary, Tag = "Provider", Response = typeof(ProviderAccessReport), Query = ["from", "to", "format"], Problems = [404, 422])]
    public Task<IResult> ForProvider(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/tenants/{id:guid}/provider-access")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ExportAsync(request, id, cancellationToken);

    [Function("ExportProviderAccess")]
    [ClientAccess(Permission.AuditRead)]
    [ApiOperation(Summary, Tag = "Audit", Response = typeof(ProviderAccessReport), Query = ["from", "to", "format"], Problems = [403, 422])]
    public Task<IResult> ForOwner(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/audit/provider-access")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ExportAsync(request, request.Client().TenantId, cancellationToken);

    private async Task<IResult> ExportAsync(HttpRequest request, Guid tenantId, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var from = QueryParameters.Date(request, "from", errors);
        var to = QueryParameters.Date(request, "to", errors);
        var format = QueryParameters.Text(request, "format") ?? "json";
        if (format is not ("json" or "csv"))
        {
            errors.Add("format", "must be json or csv.");
        }

        if (errors.ToProblem() is { } invalid)
        {
            return ApiResults.Problem(invalid, request.HttpContext);
        }

        var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
        var report = await log.ExportAsync(tenantId, from, to, today, cancellationToken);
        return ApiResults.From(report, r => format == "csv"
            ? TypedResults.Text(ProviderAccessLog.ToCsv(r), "text/csv; charset=utf-8")
            : ApiResults.Json(r), request);
    }
}
