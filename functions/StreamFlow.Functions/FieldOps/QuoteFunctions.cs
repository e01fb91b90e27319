using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.FieldOps.Quotes;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.FieldOps;

/// <summary>Quotes (estimates): the office drafts, revises, sends and prints them.</summary>
public sealed class QuoteFunctions(RequestBody body, QuoteService quotes, QuoteDepositService deposits)
{
    [Function("CreateQuote")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Drafts quote version 1 for a lead: priced lines (optional ones the customer may pick), tax rate in percent, deposit, "
        + "the service address with coordinates (the job's when approved).",
        Tag = "Quotes", RequestBody = typeof(QuoteInput), Response = typeof(Quote), SuccessStatus = 201, Problems = [403, 404])]
    public Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/leads/{id:guid}/quotes")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<QuoteInput, Quote>(body, request, input => quotes.CreateAsync(FieldActors.Of(request), id, input, cancellationToken), StatusCodes.Status201Created, cancellationToken);

    [Function("ListQuotes")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Quotes, newest first, optionally of one lead or in one status (draft, sent, approved, declined, superseded).",
        Tag = "Quotes", Response = typeof(QuotePage), Query = ["leadId", "status", "limit", "cursor"])]
    public Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/quotes")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var leadId = QueryParameters.Id(request, "leadId", errors);
        var status = QueryParameters.Text(request, "status");
        return FieldActors.PageAsync(request, errors, page => quotes.ListAsync(FieldActors.Of(request), leadId, status, page.Limit, page.Cursor, cancellationToken));
    }

    [Function("GetQuote")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("One quote version with its lines and totals.", Tag = "Quotes", Response = typeof(Quote), Problems = [404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/quotes/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await quotes.GetAsync(FieldActors.Of(request), id, cancellationToken), quote => ApiResults.Json(quote), request);

    [Function("UpdateQuote")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Replaces a draft's content; 409 once sent (revise it instead).", Tag = "Quotes",
        RequestBody = typeof(QuoteInput), Response = typeof(Quote), Problems = [403, 404, 409])]
    public Task<IResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/quotes/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<QuoteInput, Quote>(body, request, input => quotes.UpdateAsync(FieldActors.Of(request), id, input, cancellationToken), StatusCodes.Status200OK, cancellationToken);

    [Function("ReviseQuote")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Starts the next version as a draft, with the content sent or, without a body, a copy of this version; sending it supersedes the older versions and their links.",
        Tag = "Quotes", RequestBody = typeof(QuoteInput), Response = typeof(Quote), SuccessStatus = 201, Problems = [403, 404, 409])]
    public async Task<IResult> Revise(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/quotes/{id:guid}/revisions")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var input = await body.ReadOptionalJsonAsync(request, QuoteInput.Empty, cancellationToken);
        return input.Succeeded
            ? ApiResults.From(await quotes.ReviseAsync(FieldActors.Of(request), id, input.Value, cancellationToken), quote => ApiResults.Json(quote, StatusCodes.Status201Created), request)
            : ApiResults.Problem(input.Problem, request.HttpContext);
    }

    [Function("SendQuote")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Emails the quote (PDF attached) with a single-purpose approval link valid linkValidDays (default 30, at most 90); "
        + "503 when the mail server refuses, and then nothing changes.",
        Tag = "Quotes", RequestBody = typeof(QuoteSendInput), Response = typeof(Quote), Problems = [403, 404, 409, 503])]
    public Task<IResult> Send(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/quotes/{id:guid}/send")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<QuoteSendInput, Quote>(body, request, input => quotes.SendAsync(FieldActors.Of(request), id, input, cancellationToken), StatusCodes.Status200OK, cancellationToken);

    [Function("GetQuotePdf")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("The quote as a PDF (application/pdf).", Tag = "Quotes", Problems = [404])]
    public async Task<IResult> Pdf(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/quotes/{id:guid}/pdf")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await quotes.PdfAsync(FieldActors.Of(request), id, cancellationToken), pdf => TypedResults.File(pdf, "application/pdf"), request);

    [Function("RecordQuoteDepositPayment")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Records a deposit payment against an approved quote: amountMinor in the currency's minor units, method, paidAt, reference. "
        + "Idempotent by paymentId (a repeat answers 200 with the first result; the same id with other figures is 409). Partial payments add up to the deposit; "
        + "more than the deposit still due is 422 on amountMinor; a quote not approved is 409. The payment that completes the deposit sends quote.deposit_paid; "
        + "the invoice that carries the quote counts the deposit as paid.",
        Tag = "Quotes", RequestBody = typeof(QuoteDepositPaymentInput), Response = typeof(QuoteDepositRecorded), SuccessStatus = 201, Problems = [400, 403, 404, 409, 422])]
    public async Task<IResult> RecordDeposit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/quotes/{id:guid}/deposit-payments")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var input = await body.ReadJsonAsync<QuoteDepositPaymentInput>(request, cancellationToken);
        return input.Succeeded
            ? ApiResults.From(await deposits.RecordAsync(FieldActors.Of(request), id, input.Value, cancellationToken),
                recorded => ApiResults.Json(recorded, recorded.Repeat ? StatusCodes.Status200OK : StatusCodes.Status201Created), request)
            : ApiResults.Problem(input.Problem, request.HttpContext);
    }
}
