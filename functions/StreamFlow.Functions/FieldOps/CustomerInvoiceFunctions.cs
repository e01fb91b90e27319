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

    [Function("SendCustomerInvoice")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Emails the invoice to its customer with the PDF attached: to email, else where it went before, else the approved quote's customer email. "
        + "A draft becomes sent; a sent invoice is sent again. 409 when paid or void; 503 when the mail server refuses, and then nothing changes.",
        Tag = "Field operations", RequestBody = typeof(CustomerInvoiceSendInput), Response = typeof(CustomerInvoice), Problems = [400, 403, 404, 409, 503])]
    public Task<IResult> Send(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/customer-invoices/{id:guid}/send")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<CustomerInvoiceSendInput, CustomerInvoice>(body, request,
            input => invoices.SendAsync(FieldActors.Of(request), id, input, cancellationToken), StatusCodes.Status200OK, cancellationToken);

    [Function("GetCustomerInvoicePdf")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("The invoice as a PDF (application/pdf) under the business's brand name.", Tag = "Field operations", Problems = [403, 404])]
    public async Task<IResult> Pdf(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/customer-invoices/{id:guid}/pdf")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await invoices.PdfAsync(FieldActors.Of(request), id, cancellationToken), pdf => TypedResults.File(pdf, "application/pdf"), request);

    [Function("RecordCustomerInvoicePayment")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Records a payment received against a sent invoice: amountMinor in the currency's minor units, method, paidAt, reference. "
        + "Idempotent by paymentId (a repeat answers 200 with the first result; the same id with other figures is 409). Partial payments add up; "
        + "the one that settles the invoice makes it paid (customer_invoice.paid). 422 on amountMinor when it is more than the balance due; 409 on a draft or void invoice.",
        Tag = "Field operations", RequestBody = typeof(CustomerInvoicePaymentInput), Response = typeof(CustomerInvoicePaymentRecorded), SuccessStatus = 201,
        Problems = [400, 403, 404, 409, 422])]
    public async Task<IResult> RecordPayment(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/customer-invoices/{id:guid}/payments")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var input = await body.ReadJsonAsync<CustomerInvoicePaymentInput>(request, cancellationToken);
        return input.Succeeded
            ? ApiResults.From(await invoices.RecordPaymentAsync(FieldActors.Of(request), id, input.Value, cancellationToken),
                recorded => ApiResults.Json(recorded, recorded.Repeat ? StatusCodes.Status200OK : StatusCodes.Status201Created), request)
            : ApiResults.Problem(input.Problem, request.HttpContext);
    }
}
