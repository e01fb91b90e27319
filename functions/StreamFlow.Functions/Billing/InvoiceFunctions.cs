using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Billing;

/// <summary>A client business's own invoices: owners and admins list them, read one and download it.</summary>
public sealed class InvoiceFunctions( ClientInvoiceService invoices)
{
    [Function("ListInvoices")]
    [ClientAccess(Permission.InvoicesRead)]
    [ApiOperation("The business's invoices, newest billing period first (limit, cursor; status=open|paid|payment_failed|uncollectible|void). Drafts are never listed.",
        Tag = "Billing", Response = typeof(InvoicePage), Problems = [400, 403])]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/invoices")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var page = Paging.Read(request);
        return page.Succeeded
            ? ApiResults.From(await invoices.ListAsync(request.Client().TenantId, QueryParameters.Text(request, "status"), page.Value.Limit, page.Value.Cursor, cancellationToken),
                found => ApiResults.Json(found), request)
            : ApiResults.Problem(page.Problem, request.HttpContext);
    }

    [Function("GetInvoice")]
    [ClientAccess(Permission.InvoicesRead)]
    [ApiOperation("One invoice of the business with its lines.", Tag = "Billing", Response = typeof(Invoice), Problems = [403, 404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/invoices/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await invoices.GetAsync(request.Client().TenantId, id, cancellationToken), invoice => ApiResults.Json(invoice), request);

    [Function("GetInvoiceDocument")]
    [ClientAccess(Permission.InvoicesRead)]
    [ApiOperation("Downloads the invoice, chosen by the format query parameter (not by Accept): format=html (default) is the document exactly as it was emailed, "
        + "format=pdf a PDF of the invoice record, format=csv its lines (RFC 4180). Sent as an attachment named after the invoice number.",
        Tag = "Billing", Problems = [400, 403, 404])]
    public async Task<IResult> Document(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/invoices/{id:guid}/document")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        if (!InvoiceDocumentFormats.TryParse(request.Query["format"].ToString(), out var format))
        {
            return ApiResults.Problem(Problem.Validation("format", "must be html, pdf or csv."), request.HttpContext);
        }

        return ApiResults.From(await invoices.GetDocumentAsync(request.Client().TenantId, id, format, cancellationToken),
            document => TypedResults.File(document.Content, document.ContentType, document.FileName), request);
    }
}
