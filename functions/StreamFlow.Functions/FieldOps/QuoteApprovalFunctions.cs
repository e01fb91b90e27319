using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.FieldOps.Quotes;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.FieldOps;

/// <summary>The customer's side of a quote: the emailed link's token is the only credential, good for one decision.</summary>
public sealed class QuoteApprovalFunctions(RequestBody body, QuoteService quotes)
{
    [Function("ViewQuoteApproval")]
    [AnonymousAccess("The customer has no account; the emailed single-purpose token is the credential.")]
    [ApiOperation("The quote behind an approval link, as its customer sees it; 410 when the link was used, replaced by a newer version or expired.",
        Tag = "Quote approvals", RequestBody = typeof(QuoteLinkInput), Response = typeof(CustomerQuote), Problems = [410, 429])]
    public Task<IResult> View(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/quote-approvals/view")] HttpRequest request,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<QuoteLinkInput, CustomerQuote>(body, request, input => quotes.ViewAsync(input.Token, cancellationToken), StatusCodes.Status200OK, cancellationToken);

    [Function("ApproveQuote")]
    [AnonymousAccess("The customer has no account; the emailed single-purpose token is the credential.")]
    [ApiOperation("Approves the quote with the customer's name and chosen optional lines: creates the job, marks the lead won with the total; the link closes. "
        + "410 when already used, replaced or expired.",
        Tag = "Quote approvals", RequestBody = typeof(QuoteApprovalInput), Response = typeof(QuoteApproved), Problems = [410, 429])]
    public Task<IResult> Approve(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/quote-approvals/approve")] HttpRequest request,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<QuoteApprovalInput, QuoteApproved>(body, request, input => quotes.ApproveAsync(input.Token, input, cancellationToken), StatusCodes.Status200OK, cancellationToken);

    [Function("DeclineQuote")]
    [AnonymousAccess("The customer has no account; the emailed single-purpose token is the credential.")]
    [ApiOperation("Declines the quote, with a reason if given; the link closes. 410 when already used, replaced or expired.",
        Tag = "Quote approvals", RequestBody = typeof(QuoteDeclineInput), Response = typeof(CustomerQuote), Problems = [410, 429])]
    public Task<IResult> Decline(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/quote-approvals/decline")] HttpRequest request,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<QuoteDeclineInput, CustomerQuote>(body, request, input => quotes.DeclineAsync(input.Token, input, cancellationToken), StatusCodes.Status200OK, cancellationToken);
}
