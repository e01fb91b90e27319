using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Billing.Payments;
using StreamFlow.Core.Identity.Systems;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Billing;

/// <summary>
/// The provider settles or voids one client's finalized invoices. Credit notes, against an invoice or on account, are
/// issued only through the audited route of <see cref="CreditNoteFunctions"/>.
/// </summary>
public sealed class ProviderInvoicePaymentFunctions(RequestBody body, InvoicePaymentService payments)
{
    [Function("MarkInvoicePaid")]
    [ProviderAccess]
    [ApiOperation("Records a payment received outside Stripe (bank transfer, cheque): the invoice becomes paid and invoice.paid is sent. With Stripe, the Stripe invoice is marked paid out of band. 409 for a draft, void or already paid invoice.",
        Tag = "Provider", RequestBody = typeof(MarkInvoicePaidRequest), Response = typeof(Invoice), Problems = [404, 409])]
    public async Task<IResult> MarkPaid(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/provider/tenants/{id:guid}/invoices/{invoiceId:guid}/mark-paid")] HttpRequest request,
        Guid id,
        Guid invoiceId,
        CancellationToken cancellationToken)
    {
        var paid = await body.ReadJsonAsync<MarkInvoicePaidRequest>(request, cancellationToken);
        return paid.Succeeded
            ? ApiResults.From(await payments.MarkPaidAsync(id, invoiceId, paid.Value, $"provider:{request.Operator().Email}", cancellationToken), invoice => ApiResults.Json(invoice), request)
            : ApiResults.Problem(paid.Problem, request.HttpContext);
    }

    [Function("VoidInvoice")]
    [ProviderAccess]
    [ApiOperation("Voids an unpaid, finalized invoice (and its Stripe invoice): nothing is owed on it any more. 409 for a draft, paid or void invoice.",
        Tag = "Provider", Response = typeof(Invoice), Problems = [404, 409])]
    public async Task<IResult> Void(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/provider/tenants/{id:guid}/invoices/{invoiceId:guid}/void")] HttpRequest request,
        Guid id,
        Guid invoiceId,
        CancellationToken cancellationToken) =>
        ApiResults.From(await payments.VoidAsync(id, invoiceId, $"provider:{request.Operator().Email}", cancellationToken), invoice => ApiResults.Json(invoice), request);
}
