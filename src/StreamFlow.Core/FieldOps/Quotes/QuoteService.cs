using System.Text.Json;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Database;
using StreamFlow.Core.Email;
using StreamFlow.Core.FieldOps.Jobs;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Core.FieldOps.Quotes;

/// <summary>
/// Quotes of a lead: drafted and revised by the office, sent with a single-purpose approval link, approved or declined
/// by the customer. Approval creates the job at the quote's service address and marks the lead won with the quote's total.
/// </summary>
public sealed class QuoteService(
    StreamFlowDatabase database,
    WebhookOutbox outbox,
    LeadService leads,
    EmailSender email,
    Branding.BrandResolver brands,
    IdentityOptions identity,
    TimeProvider timeProvider,
    ILogger<QuoteService> logger)
{
    public const int MaxLines = 100;
    public const int DefaultLinkValidDays = 30;
    public const int MaxLinkValidDays = 90;

    public async Task<Result<Quote>> CreateAsync(FieldActor actor, Guid leadId, QuoteInput input, CancellationToken cancellationToken)
    {
        var valid = QuoteRules.Validate(input);
        if (!valid.Succeeded)
        {
            return valid.Problem;
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            if (!await QuoteStore.LeadExistsAsync(scope, leadId))
            {
                return (Result<Quote>)Problem.NotFound("The lead");
            }

            var number = await QuoteStore.NextNumberAsync(scope, actor.TenantId);
            var quote = valid.Value with { Id = Guid.CreateVersion7(), LeadId = leadId, Number = number, Version = 1, CreatedBy = actor.Actor };
            await QuoteStore.InsertAsync(scope, actor.TenantId, quote, timeProvider.GetUtcNow());
            return ToQuote((await QuoteStore.FindAsync(scope, quote.Id))!);
        }, cancellationToken);
    }

    public async Task<Result<Quote>> GetAsync(FieldActor actor, Guid id, CancellationToken cancellationToken)
    {
        var quote = await database.InTenantAsync(actor.TenantId, scope => QuoteStore.FindAsync(scope, id), cancellationToken);
        return quote is null ? Problem.NotFound("The quote") : ToQuote(quote);
    }

    public async Task<Result<QuotePage>> ListAsync(FieldActor actor, Guid? leadId, string? status, int limit, string? cursor, CancellationToken cancellationToken)
    {
        if (status is not null && !QuoteStatus.All.Contains(status))
        {
            return Problem.Validation("status", $"is one of {string.Join(", ", QuoteStatus.All)}.");
        }

        var before = FieldOpsCursor.Read(cursor);
        if (!before.Succeeded)
        {
            return before.Problem;
        }

        var rows = await database.InTenantAsync(actor.TenantId, scope => QuoteStore.PageAsync(scope, leadId, status, before.Value, limit + 1), cancellationToken);
        return new QuotePage([.. rows.Take(limit).Select(ToQuote)], FieldOpsCursor.Next(rows, limit, r => r.Id));
    }

    /// <summary>Replaces a draft's content; a quote already sent is revised into a new version instead (409).</summary>
    public async Task<Result<Quote>> UpdateAsync(FieldActor actor, Guid id, QuoteInput input, CancellationToken cancellationToken)
    {
        var valid = QuoteRules.Validate(input);
        if (!valid.Succeeded)
        {
            return valid.Problem;
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var current = await QuoteStore.LockAsync(scope, id);
            if (current is null)
            {
                return (Result<Quote>)Problem.NotFound("The quote");
            }

            if (current.Status != QuoteStatus.Draft)
            {
                return Problem.Conflict($"Quote Q-{current.Number} v{current.Version} is {current.Status}: only a draft is changed; revise it with POST /api/v1/quotes/{id}/revisions.");
            }

            await QuoteStore.UpdateDraftAsync(scope, valid.Value with { Id = id }, timeProvider.GetUtcNow());
            return ToQuote((await QuoteStore.FindAsync(scope, id))!);
        }, cancellationToken);
    }

    /// <summary>A new draft version of the quote, with the content given or, without a body, a copy of this version's.</summary>
    public async Task<Result<Quote>> ReviseAsync(FieldActor actor, Guid id, QuoteInput input, CancellationToken cancellationToken)
    {
        StoredQuote? replacement = null;
        if (input != QuoteInput.Empty)
        {
            var validated = QuoteRules.Validate(input);
            if (!validated.Succeeded)
            {
                return validated.Problem;
            }

            replacement = validated.Value;
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var current = await QuoteStore.LockAsync(scope, id);
            if (current is null)
            {
                return (Result<Quote>)Problem.NotFound("The quote");
            }

            if (current.Status == QuoteStatus.Approved)
            {
                return Problem.Conflict($"Quote Q-{current.Number} v{current.Version} is approved: its job exists; quote new work separately.");
            }

            var version = await QuoteStore.LatestVersionAsync(scope, current.Number) + 1;
            var content = replacement ?? current;
            var revision = content with { Id = Guid.CreateVersion7(), LeadId = current.LeadId, Number = current.Number, Version = version, CreatedBy = actor.Actor };
            await QuoteStore.InsertAsync(scope, actor.TenantId, revision, timeProvider.GetUtcNow());
            return ToQuote((await QuoteStore.FindAsync(scope, revision.Id))!);
        }, cancellationToken);
    }

    /// <summary>
    /// Emails the quote with a new approval link (resending replaces the old link) and supersedes the other open versions.
    /// The mail is handed to the server before anything is recorded: when it refuses, nothing changes and the answer is 503.
    /// </summary>
    public async Task<Result<Quote>> SendAsync(FieldActor actor, Guid id, QuoteSendInput input, CancellationToken cancellationToken)
    {
        var days = input.LinkValidDays ?? DefaultLinkValidDays;
        if (days is < 1 or > MaxLinkValidDays)
        {
            return Problem.Validation("linkValidDays", $"must be between 1 and {MaxLinkValidDays}.");
        }

        if (input.Email is { } given && !QuoteRules.IsEmail(given))
        {
            return Problem.Validation("email", "is not an email address.");
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var current = await QuoteStore.LockAsync(scope, id);
            if (current is null)
            {
                return (Result<Quote>)Problem.NotFound("The quote");
            }

            if (current.Status is not (QuoteStatus.Draft or QuoteStatus.Sent))
            {
                return Problem.Conflict($"Quote Q-{current.Number} v{current.Version} is {current.Status} and cannot be sent.");
            }

            if ((input.Email ?? current.CustomerEmail) is not { } to)
            {
                return Problem.Validation("email", "is required: the quote has no customer email.");
            }

            var now = timeProvider.GetUtcNow();
            var token = QuoteApprovalTokens.New();
            var expiresAt = now.AddDays(days);
            var business = await brands.DocumentNameAsync(actor.TenantId, await QuoteStore.BusinessNameAsync(scope, actor.TenantId) ?? "Your contractor", cancellationToken);
            var view = ToCustomerView(current with { Status = QuoteStatus.Sent }, business, expiresAt);
            try
            {
                var pdf = QuotePdf.Render(ToQuote(current), business);
                await email.SendAsync(QuoteEmail.Compose(actor.TenantId, to, view, $"{identity.PublicAppUrl}/quote?token={token}", pdf), scope.CancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning("The mail server refused quote {QuoteId}: {Error}", id, exception.GetType().Name);
                return new Problem(ProblemKind.Unavailable, "The mail server did not accept the quote; nothing was sent or changed.", RetryAfter: TimeSpan.FromSeconds(30));
            }

            await QuoteStore.MarkSentAsync(scope, id, to, QuoteApprovalTokens.Hash(token)!, expiresAt, now);
            await QuoteStore.SupersedeOthersAsync(scope, current.Number, id, now);
            var sent = ToQuote((await QuoteStore.FindAsync(scope, id))!);
            await outbox.AddAsync(scope, actor.TenantId, WebhookEventCatalog.QuoteSent, new
            {
                QuoteId = sent.Id, sent.LeadId, sent.Number, sent.Version, sent.Totals.Total, SentAt = now, LinkExpiresAt = expiresAt,
            }, scope.CancellationToken);
            return sent;
        }, cancellationToken);
    }

    /// <summary>The quote behind an approval link, as its customer sees it; 410 when the link is used, replaced or expired.</summary>
    public async Task<Result<CustomerQuote>> ViewAsync(string? token, CancellationToken cancellationToken)
    {
        var link = await FindLinkAsync(token, cancellationToken);
        if (!link.Succeeded)
        {
            return link.Problem;
        }

        return await database.InTenantAsync(link.Value.TenantId, async scope =>
        {
            var quote = await QuoteStore.FindAsync(scope, link.Value.QuoteId);
            return Open(quote) is { } closed
                ? (Result<CustomerQuote>)closed
                : ToCustomerView(quote!, await QuoteStore.BusinessNameAsync(scope, link.Value.TenantId) ?? "", quote!.TokenExpiresAt!.Value);
        }, cancellationToken);
    }

    public async Task<Result<QuoteApproved>> ApproveAsync(string? token, QuoteApprovalInput input, CancellationToken cancellationToken)
    {
        var name = input.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200)
        {
            return Problem.Validation("name", "is required (the name you approve with, at most 200 characters).");
        }

        var link = await FindLinkAsync(token, cancellationToken);
        if (!link.Succeeded)
        {
            return link.Problem;
        }

        var (tenantId, quoteId) = link.Value;
        var approved = await database.InTenantAsync(tenantId, async scope =>
        {
            var quote = await QuoteStore.LockAsync(scope, quoteId);
            if (Open(quote) is { } closed)
            {
                return (Result<(StoredQuote Quote, Guid JobId)>)closed;
            }

            var lines = Lines(quote!);
            var chosen = QuoteRules.ChooseOptional(lines, input.SelectedOptionalLines);
            if (!chosen.Succeeded)
            {
                return chosen.Problem;
            }

            var priced = QuoteMath.Price(chosen.Value, quote!.TaxRate, quote.Currency);
            var now = timeProvider.GetUtcNow();
            var job = new StoredJob
            {
                Id = Guid.CreateVersion7(), LeadId = quote.LeadId, CustomerName = quote.CustomerName, Title = quote.Title,
                Address = quote.ServiceAddress, Latitude = quote.Latitude, Longitude = quote.Longitude,
            };
            await JobStore.InsertAsync(scope, tenantId, job, now);
            await QuoteStore.DecideAsync(scope, quoteId, QuoteStatus.Approved, priced, JsonSerializer.Serialize(chosen.Value, StreamFlowJson.Options), name, null, job.Id, now);
            var total = QuoteMath.OfMinor(priced.TotalMinor, quote.Currency);
            await outbox.AddAsync(scope, tenantId, WebhookEventCatalog.QuoteApproved, new
            {
                QuoteId = quoteId, quote.LeadId, Number = $"Q-{quote.Number}", quote.Version, Total = total,
                Deposit = QuoteMath.OfMinor(Math.Min(quote.DepositMinor, priced.TotalMinor), quote.Currency), JobId = job.Id, ApprovedAt = now,
            }, scope.CancellationToken);
            return ((await QuoteStore.FindAsync(scope, quoteId))!, job.Id);
        }, cancellationToken);
        if (!approved.Succeeded)
        {
            return approved.Problem;
        }

        await MarkLeadWonAsync(tenantId, approved.Value.Quote, cancellationToken);
        var business = await brands.DocumentNameAsync(tenantId,
            await database.InTenantAsync(tenantId, scope => QuoteStore.BusinessNameAsync(scope, tenantId), cancellationToken) ?? "", cancellationToken);
        return new QuoteApproved(ToCustomerView(approved.Value.Quote, business, approved.Value.Quote.TokenExpiresAt!.Value), approved.Value.JobId);
    }

    public async Task<Result<CustomerQuote>> DeclineAsync(string? token, QuoteDeclineInput input, CancellationToken cancellationToken)
    {
        if (input.Reason is { Length: > 2000 })
        {
            return Problem.Validation("reason", "is at most 2,000 characters.");
        }

        var link = await FindLinkAsync(token, cancellationToken);
        if (!link.Succeeded)
        {
            return link.Problem;
        }

        var (tenantId, quoteId) = link.Value;
        return await database.InTenantAsync(tenantId, async scope =>
        {
            var quote = await QuoteStore.LockAsync(scope, quoteId);
            if (Open(quote) is { } closed)
            {
                return (Result<CustomerQuote>)closed;
            }

            var now = timeProvider.GetUtcNow();
            var reason = string.IsNullOrWhiteSpace(input.Reason) ? null : input.Reason.Trim();
            await QuoteStore.DecideAsync(scope, quoteId, QuoteStatus.Declined, null, null, null, reason, null, now);
            await outbox.AddAsync(scope, tenantId, WebhookEventCatalog.QuoteDeclined, new
            {
                QuoteId = quoteId, quote!.LeadId, Number = $"Q-{quote.Number}", quote.Version, Reason = reason, DeclinedAt = now,
            }, scope.CancellationToken);
            var declined = (await QuoteStore.FindAsync(scope, quoteId))!;
            return ToCustomerView(declined, await brands.DocumentNameAsync(tenantId, await QuoteStore.BusinessNameAsync(scope, tenantId) ?? "", scope.CancellationToken), declined.TokenExpiresAt!.Value);
        }, cancellationToken);
    }

    /// <summary>The quote as a PDF: its lines, totals and terms, for the office to print or attach.</summary>
    public async Task<Result<byte[]>> PdfAsync(FieldActor actor, Guid id, CancellationToken cancellationToken)
    {
        var (quote, business) = await database.InTenantAsync(actor.TenantId, async scope =>
            (await QuoteStore.FindAsync(scope, id), await QuoteStore.BusinessNameAsync(scope, actor.TenantId) ?? ""), cancellationToken);
        return quote is null ? Problem.NotFound("The quote") : QuotePdf.Render(ToQuote(quote), await brands.DocumentNameAsync(actor.TenantId, business, cancellationToken));
    }

    // The link's tenant and quote; an unknown token (never issued, used, or replaced by a newer send) is gone.
    private async Task<Result<QuoteTokenMatch>> FindLinkAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token))
        {
            return Problem.Validation("token", "is required: the token of the emailed link.");
        }

        if (QuoteApprovalTokens.Hash(token) is not { } hash)
        {
            return Gone("This approval link is not valid.");
        }

        var match = await database.InPlatformAsync(scope => QuoteStore.FindByTokenAsync(scope, hash), cancellationToken);
        return match is null ? Gone("This approval link is no longer valid: it was already used, or a newer version of the quote was sent.") : match;
    }

    private Problem? Open(StoredQuote? quote) => quote switch
    {
        null or { Status: not QuoteStatus.Sent } => Gone("This approval link is no longer valid: the quote was already decided or replaced."),
        { TokenExpiresAt: { } expires } when expires <= timeProvider.GetUtcNow() =>
            Gone($"This approval link expired on {expires:yyyy-MM-dd}; ask for the quote to be sent again."),
        _ => null,
    };

    private async Task MarkLeadWonAsync(Guid tenantId, StoredQuote quote, CancellationToken cancellationToken)
    {
        var total = QuoteMath.OfMinor(quote.TotalMinor, quote.Currency);
        var update = new LeadUpdate(
            new LeadInput(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null),
            new OutcomeInput("won", total.Amount, total.Currency, null));
        var won = await leads.UpdateAsync(new LeadActor(tenantId, $"customer:quote Q-{quote.Number}", CanAssign: false), quote.LeadId, update, cancellationToken);
        if (!won.Succeeded)
        {
            // The approval and its job stand (the customer said yes); the office sees the lead still open and closes it by hand.
            logger.LogWarning("Quote {QuoteId} was approved but its lead was not marked won: {Detail}", quote.Id, won.Problem.Detail);
        }
    }

    private static Problem Gone(string detail) => new(ProblemKind.Gone, detail);

    private static List<StoredQuoteLine> Lines(StoredQuote quote) =>
        JsonSerializer.Deserialize<List<StoredQuoteLine>>(quote.Lines, StreamFlowJson.Options) ?? [];

    private static Quote ToQuote(StoredQuote q)
    {
        var priced = QuoteMath.Price(Lines(q), q.TaxRate, q.Currency);
        return new Quote(
            q.Id, q.LeadId, $"Q-{q.Number}", q.Version, q.Status, q.Title, q.CustomerName, q.CustomerEmail, q.ServiceAddress,
            new Location(q.Latitude, q.Longitude), q.Currency, priced.Lines, q.TaxRate, Totals(q), Deposit(q), q.Message, q.ValidUntil, q.SentAt,
            q.TokenExpiresAt, q.DecidedAt, q.DecidedByName, q.DeclineReason, q.JobId, q.CreatedAt, q.UpdatedAt);
    }

    private static CustomerQuote ToCustomerView(StoredQuote q, string business, DateTimeOffset linkExpiresAt) => new(
        business, $"Q-{q.Number}", q.Version, q.Status, q.Title, q.CustomerName, q.ServiceAddress, q.Currency,
        QuoteMath.Price(Lines(q), q.TaxRate, q.Currency).Lines, q.TaxRate, Totals(q), q.Message, q.ValidUntil, linkExpiresAt);

    private static QuoteDepositSummary Deposit(StoredQuote q)
    {
        var requested = Math.Min(q.DepositMinor, q.TotalMinor);
        return new QuoteDepositSummary(
            QuoteMath.OfMinor(requested, q.Currency), QuoteMath.OfMinor(q.DepositPaidMinor, q.Currency),
            QuoteMath.OfMinor(Math.Max(0, requested - q.DepositPaidMinor), q.Currency), q.DepositPayments, q.DepositLastPaidAt);
    }

    private static QuoteTotals Totals(StoredQuote q) => new(
        QuoteMath.OfMinor(q.SubtotalMinor, q.Currency), QuoteMath.OfMinor(q.TaxMinor, q.Currency), QuoteMath.OfMinor(q.TotalMinor, q.Currency),
        QuoteMath.OfMinor(Math.Min(q.DepositMinor, q.TotalMinor), q.Currency));
}
