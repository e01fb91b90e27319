using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Billing.Credits;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Billing;

/// <summary>Credit notes on the provider's billing of a business: the provider issues and lists them, the owner lists and downloads them.</summary>
public sealed class CreditNoteFunctions(RequestBody body, CreditNoteService creditNotes)
{
    [Function("IssueProviderCreditNote")]
    [ProviderAccess]
    [ApiOperation("Issues a numbered credit note (CN-) to a business: amountMinor in the minor units of its billing currency, a reason, and invoiceId to "
        + "correct one finalized invoice (never more than remains) or none for account credit, taken off the next invoice(s) the billing cycle finalizes "
        + "(never below zero). Audited with the provider's identity; emailed to the business's owners with the PDF, in the provider's brand. "
        + "409 for a business without a price, a draft or void invoice or too large an amount.",
        Tag = "Provider", RequestBody = typeof(IssueAccountCreditRequest), Response = typeof(CreditNoteView), SuccessStatus = 201, Problems = [404, 409])]
    public async Task<IResult> Issue(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/provider/tenants/{id:guid}/credit-notes")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var input = await body.ReadJsonAsync<IssueAccountCreditRequest>(request, cancellationToken);
        var issued = input.Succeeded
            ? await creditNotes.IssueAsync(id, input.Value, $"provider:{request.Operator().Email}", RequestOrigins.Of(request), cancellationToken)
            : input.Problem;
        return ApiResults.From(issued, note => ApiResults.Json(note, StatusCodes.Status201Created), request);
    }

    [Function("ListProviderCreditNotes")]
    [ProviderAccess]
    [ApiOperation("A business's credit notes, newest first (at most 500), with who issued each, where account credit went and the open account credit.",
        Tag = "Provider", Response = typeof(CreditNoteList), Problems = [404])]
    public async Task<IResult> ListForProvider(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/tenants/{id:guid}/credit-notes")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await creditNotes.ListAsync(id, forOwner: false, cancellationToken), list => ApiResults.Json(list), request);

    [Function("GetProviderCreditNotePdf")]
    [ProviderAccess]
    [ApiOperation("A business's credit note as a PDF (the one its owners were emailed, as it stands now).", Tag = "Provider", Problems = [404])]
    public async Task<IResult> PdfForProvider(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/tenants/{id:guid}/credit-notes/{creditNoteId:guid}/document")] HttpRequest request,
        Guid id,
        Guid creditNoteId,
        CancellationToken cancellationToken) =>
        ApiResults.From(await creditNotes.PdfAsync(id, creditNoteId, cancellationToken),
            document => TypedResults.File(document.Content, document.ContentType, document.FileName), request);

    [Function("ListCreditNotes")]
    [ClientAccess(Permission.InvoicesRead)]
    [ApiOperation("The business's credit notes from its provider, newest first (at most 500), and its open account credit.",
        Tag = "Billing", Response = typeof(CreditNoteList), Problems = [403])]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/credit-notes")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.From(await creditNotes.ListAsync(request.Client().TenantId, forOwner: true, cancellationToken), list => ApiResults.Json(list), request);

    [Function("GetCreditNotePdf")]
    [ClientAccess(Permission.InvoicesRead)]
    [ApiOperation("One of the business's credit notes as a PDF, sent as an attachment named after its number.", Tag = "Billing", Problems = [403, 404])]
    public async Task<IResult> Pdf(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/credit-notes/{id:guid}/document")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await creditNotes.PdfAsync(request.Client().TenantId, id, cancellationToken),
            document => TypedResults.File(document.Content, document.ContentType, document.FileName), request);
}
