using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Billing.Payments;
using StreamFlow.Core.Identity.Systems;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Billing;

/// <summary>The provider settles and corrects one client's finalized invoices.</summary>
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

    [Function("IssueCreditNote")]
    [ProviderAccess]
    [ApiOperation("Issues a numbered credit note (CN-) against a finalized invoice, lowering what is owed; never more than remains. 409 for a draft or void invoice or too large an amount.",
        Tag = "Provider", RequestBody = typeof(IssueCreditNoteRequest), Response = typeof(CreditNoteIssued), SuccessStatus = 201, Problems = [404, 409])]
    public async Task<IResult> IssueCreditNote(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/provider/tenants/{id:guid}/invoices/{invoiceId:guid}/credit-notes")] HttpRequest request,
        Guid id,
        Guid invoiceId,
        CancellationToken cancellationToken)
    {
        var credit = await body.ReadJsonAsync<IssueCreditNoteRequest>(request, cancellationToken);
        return credit.Succeeded
            ? ApiResults.From(await payments.IssueCreditNoteAsync(id, invoiceId, credit.Value, $"provider:{request.Operator().Email}", cancellationToken),
                issued => ApiResults.Json(issued, StatusCodes.Status201Created), request)
            : ApiResults.Problem(credit.Problem, request.HttpContext);
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
