using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.FieldOps.Invoicing;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.FieldOps;

/// <summary>The business's own invoices to its customers, drafted from completed visits (not the provider's billing of tenants).</summary>
public sealed class CustomerInvoiceFunctions(RequestBody body, CustomerInvoiceService invoices)
{
    [Function("DraftCustomerInvoice")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Drafts an invoice to a customer from completed visits: the approved quote lines of their jobs (once per quote) and, with labourRate, a labour line per visit. "
        + "422 naming the visit that is not completed or not found, or when the lines would mix currencies; 409 when a visit is already on a live invoice.",
        Tag = "Field operations", RequestBody = typeof(CustomerInvoiceInput), Response = typeof(CustomerInvoice), SuccessStatus = 201, Problems = [403, 409, 422])]
    public Task<IResult> Draft(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/customer-invoices")] HttpRequest request,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<CustomerInvoiceInput, CustomerInvoice>(body, request,
            input => invoices.DraftAsync(FieldActors.Of(request), input, cancellationToken), StatusCodes.Status201Created, cancellationToken);

    [Function("ListCustomerInvoices")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("The business's invoices to its customers, newest first, optionally by status.", Tag = "Field operations",
        Response = typeof(CustomerInvoicePage), Query = ["status", "limit", "cursor"], Problems = [403])]
    public Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/customer-invoices")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var status = QueryParameters.Text(request, "status");
        return FieldActors.PageAsync(request, new ValidationErrors(), page => invoices.ListAsync(FieldActors.Of(request), status, page.Limit, page.Cursor, cancellationToken));
    }

    [Function("GetCustomerInvoice")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("One invoice to a customer.", Tag = "Field operations", Response = typeof(CustomerInvoice), Problems = [403, 404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/customer-invoices/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await invoices.GetAsync(FieldActors.Of(request), id, cancellationToken), invoice => ApiResults.Json(invoice), request);

    [Function("ChangeCustomerInvoiceStatus")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Moves an invoice: draft → sent → paid, or void (with reason) from draft or sent, which frees its visits; any other move is 409.",
        Tag = "Field operations", RequestBody = typeof(CustomerInvoiceStatusChange), Response = typeof(CustomerInvoice), Problems = [403, 404, 409])]
    public Task<IResult> ChangeStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/customer-invoices/{id:guid}/status")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<CustomerInvoiceStatusChange, CustomerInvoice>(body, request,
            input => invoices.ChangeStatusAsync(FieldActors.Of(request), id, input, cancellationToken), StatusCodes.Status200OK, cancellationToken);
}
