using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Identity.Systems;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Billing;

/// <summary>The provider's invoices across clients, their CSV export, the monetization console and revenue analytics.</summary>
public sealed class ProviderBillingFunctions( ProviderInvoiceService invoices, MonetizationConsoleService monetization)
{
    [Function("ListProviderInvoices")]
    [ProviderAccess]
    [ApiOperation("Invoices of every client, newest billing period first, drafts included: filters tenantId, status, periodFrom and periodTo (YYYY-MM-DD, on the period's start), "
        + "overdue=true (open or failed and past due); limit, cursor.",
        Tag = "Provider", Response = typeof(ProviderInvoicePage), Problems = [400])]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/invoices")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var page = Paging.Read(request);
        if (!page.Succeeded)
        {
            return ApiResults.Problem(page.Problem, request.HttpContext);
        }

        var errors = new ValidationErrors();
        var query = new ProviderInvoiceQuery(
            QueryParameters.Id(request, "tenantId", errors), QueryParameters.Text(request, "status"), QueryParameters.Date(request, "periodFrom", errors),
            QueryParameters.Date(request, "periodTo", errors), QueryParameters.Flag(request, "overdue", errors));
        return errors.ToProblem() is { } invalid
            ? ApiResults.Problem(invalid, request.HttpContext)
            : ApiResults.From(await invoices.ListAsync(query, page.Value.Limit, page.Value.Cursor, cancellationToken), found => ApiResults.Json(found), request);
    }

    [Function("ListProviderTenantInvoices")]
    [ProviderAccess]
    [ApiOperation("One client's invoices with their lines, drafts included, newest billing period first (status, limit, cursor).",
        Tag = "Provider", Response = typeof(InvoicePage), Problems = [400, 404])]
    public async Task<IResult> ListForTenant(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/tenants/{id:guid}/invoices")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var page = Paging.Read(request);
        return page.Succeeded
            ? ApiResults.From(await invoices.ListForTenantAsync(id, QueryParameters.Text(request, "status"), page.Value.Limit, page.Value.Cursor, cancellationToken),
                found => ApiResults.Json(found), request)
            : ApiResults.Problem(page.Problem, request.HttpContext);
    }

    [Function("ExportProviderInvoices")]
    [ProviderAccess]
    [ApiOperation("CSV (RFC 4180, streamed) of the finalized invoices issued from..to (UTC dates, inclusive, both required): kind=invoices (default) one row per invoice, "
        + "kind=lines one row per invoice line; each row names the client (name, slug, id).",
        Tag = "Provider", Problems = [400])]
    public async Task<IResult> Export(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/invoices/export")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var (from, to) = (QueryParameters.Date(request, "from", errors), QueryParameters.Date(request, "to", errors));
        if (errors.ToProblem() is { } invalid)
        {
            return ApiResults.Problem(invalid, request.HttpContext);
        }

        return ApiResults.From(invoices.PrepareExport(from, to, QueryParameters.Text(request, "kind")), export => new CsvExportResult(export), request);
    }

    [Function("GetMonetizationClients")]
    [ProviderAccess]
    [ApiOperation("The monetization console: per client its plan, price in force, MRR, active seats, leads this billing period, AI cost, billed amount and margin "
        + "this UTC month against its AI budget, outstanding and overdue invoice amounts, and status; totals per currency.",
        Tag = "Provider", Response = typeof(MonetizationConsole))]
    public async Task<IResult> Clients(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/billing/clients")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await monetization.ClientsAsync(cancellationToken));

    [Function("GetRevenueAnalytics")]
    [ProviderAccess]
    [ApiOperation("Revenue analytics over the whole months from..to (YYYY-MM-DD; default the last 12 months): MRR per month with new, expansion, contraction "
        + "and churned MRR, from finalized invoices' base fee, seat and discount lines; revenue by client and by line type; AI margin per month.",
        Tag = "Provider", Response = typeof(RevenueAnalytics), Problems = [400])]
    public async Task<IResult> Analytics(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/billing/analytics")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var (from, to) = (QueryParameters.Date(request, "from", errors), QueryParameters.Date(request, "to", errors));
        return errors.ToProblem() is { } invalid
            ? ApiResults.Problem(invalid, request.HttpContext)
            : ApiResults.From(await monetization.AnalyticsAsync(from, to, cancellationToken), analytics => ApiResults.Json(analytics), request);
    }

    /// <summary>Streams the export as the database returns it, so a year of invoices never sits in memory.</summary>
    private sealed class CsvExportResult(InvoiceExport export) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "text/csv; charset=utf-8";
            response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileName = export.FileName }.ToString();
            response.Headers.CacheControl = "no-store";
            await export.WriteAsync(response.Body, httpContext.RequestAborted);
        }
    }
}
