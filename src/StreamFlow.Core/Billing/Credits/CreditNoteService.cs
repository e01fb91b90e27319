using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Billing.Payments;
using StreamFlow.Core.Branding;
using StreamFlow.Core.Database;
using StreamFlow.Core.Email;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Core.Billing.Credits;

/// <summary>
/// Credit notes on the provider's billing of a client business (docs/billing-console.md, "Credit notes"): issued by
/// the provider or by a churn playbook (within its limits), numbered CN-, audited in the business's trail with the
/// actor, emailed to the business's owners in the provider's brand with the PDF, listed for the provider and the owner.
/// Account credit (no invoice) is taken off the next invoices the billing cycle finalizes (<see cref="ApplyOpenCreditAsync"/>).
/// Either kind queues the <c>credit_note.issued</c> webhook event in the transaction that issues it.
/// </summary>
public sealed class CreditNoteService(
    StreamFlowDatabase database,
    InvoicePaymentService payments,
    AuditLog audit,
    EmailSender email,
    BrandResolver brands,
    WebhookOutbox outbox,
    IOptions<BillingOptions> options,
    TimeProvider time,
    ILogger<CreditNoteService> logger)
{
    public const string IssuedAction = "billing.credit_note.issued";
    public const string RefusedAction = "billing.credit_note.refused";

    /// <summary>Issues a credit note by hand (the provider): against <c>invoiceId</c>, or as account credit without one.</summary>
    public async Task<Result<CreditNoteView>> IssueAsync(Guid tenantId, IssueAccountCreditRequest request, string actor, RequestOrigin origin, CancellationToken cancellationToken)
    {
        if (Validate(request) is { } invalid)
        {
            return invalid;
        }

        var result = request.InvoiceId is { } invoiceId
            ? await CreditInvoiceAsync(tenantId, invoiceId, request.AmountMinor!.Value, request.Reason!.Trim(), actor, cancellationToken)
            : await IssueAccountCreditAsync(tenantId, request.AmountMinor!.Value, null, request.Reason!.Trim(), actor, null, cancellationToken);
        if (!result.Succeeded)
        {
            return result.Problem!;
        }

        await audit.RecordAsync(new AuditEvent(AuditSystem.Provider, tenantId, actor, IssuedAction, $"credit_note:{result.Value.Id}", AuditOutcome.Succeeded, origin,
            Details(result.Value)), cancellationToken);
        await EmailAsync(tenantId, result.Value, cancellationToken);
        return result;
    }

    /// <summary>
    /// A churn playbook's <c>offerCredit</c>: account credit of <paramref name="amountMinor"/> in <paramref name="currency"/>,
    /// refused (audited, nothing issued) when the business is billed in another currency or when the credit the
    /// playbooks gave it this calendar year (UTC) would exceed <paramref name="yearlyLimitMinor"/>.
    /// </summary>
    public async Task<Result<CreditNoteView>> OfferWithinLimitAsync(
        Guid tenantId, long amountMinor, string currency, long yearlyLimitMinor, string reason, string actor, CancellationToken cancellationToken)
    {
        var result = await IssueAccountCreditAsync(tenantId, amountMinor, currency, reason, actor, yearlyLimitMinor, cancellationToken);
        if (!result.Succeeded)
        {
            await audit.RecordAsync(new AuditEvent(AuditSystem.Provider, tenantId, actor, RefusedAction, $"tenant:{tenantId}", AuditOutcome.Refused, RequestOrigin.None,
                new JsonObject { ["amountMinor"] = amountMinor, ["currency"] = currency, ["yearlyLimitMinor"] = yearlyLimitMinor, ["reason"] = result.Problem!.Detail }),
                cancellationToken);
            return result;
        }

        await audit.RecordAsync(new AuditEvent(AuditSystem.Provider, tenantId, actor, IssuedAction, $"credit_note:{result.Value.Id}", AuditOutcome.Succeeded, RequestOrigin.None,
            Details(result.Value)), cancellationToken);
        await EmailAsync(tenantId, result.Value, cancellationToken);
        return result;
    }

    /// <summary>The business's credit notes, newest first (at most 500), and its open account credit.</summary>
    public async Task<Result<CreditNoteList>> ListAsync(Guid tenantId, bool forOwner, CancellationToken cancellationToken)
    {
        var (exists, notes) = await database.InTenantAsync(tenantId, async scope =>
            (await CreditNoteStore.TenantNameAsync(scope, tenantId) is { Length: > 0 }, await ViewsAsync(scope, null)), cancellationToken);
        if (!exists)
        {
            return Problem.NotFound("The business");
        }

        var items = forOwner ? notes.Select(ForOwner).ToList() : notes.ToList();
        var open = notes.Where(n => n.Kind == "account")
            .GroupBy(n => n.Amount.Currency, StringComparer.Ordinal)
            .Select(g => Money.Of(g.Sum(n => Amount(n.Remaining)), g.Key))
            .Where(m => m.Amount != "0.00")
            .ToList();
        return new CreditNoteList(items, open);
    }

    /// <summary>The credit note as a PDF, in the provider's brand.</summary>
    public async Task<Result<InvoiceDocument>> PdfAsync(Guid tenantId, Guid creditNoteId, CancellationToken cancellationToken)
    {
        var (note, clientName) = await database.InTenantAsync(tenantId, async scope =>
            ((await ViewsAsync(scope, creditNoteId)).SingleOrDefault(), await CreditNoteStore.TenantNameAsync(scope, tenantId)), cancellationToken);
        if (note is null)
        {
            return Problem.NotFound("The credit note");
        }

        var brand = await brands.ResolveAsync(null, cancellationToken);
        return new InvoiceDocument($"{note.Number}.pdf", "application/pdf", CreditNotePdf.Render(note, clientName, brand.ChosenName ?? options.Value.ProviderName, brand));
    }

    /// <summary>
    /// Takes the business's open account credit off a finalized invoice, oldest credit first, up to what the invoice
    /// still owes (never below zero). Call it in the transaction that finalizes the invoice: that transaction runs once
    /// per invoice, and each (credit note, invoice) pair is recorded once, so a retry applies nothing twice.
    /// </summary>
    internal static async Task<decimal> ApplyOpenCreditAsync(DbTransactionScope scope, Guid tenantId, Guid invoiceId, DateTimeOffset now)
    {
        var invoice = await CreditNoteStore.LockInvoiceAsync(scope, invoiceId);
        if (invoice?.FinalizedAt is null)
        {
            return 0m;
        }

        var owed = invoice.Total - invoice.CreditedTotal;
        var applied = 0m;
        foreach (var credit in await CreditNoteStore.LockOpenCreditAsync(scope, tenantId, invoice.Currency))
        {
            if (owed <= 0m)
            {
                break;
            }

            var amount = Math.Min(owed, credit.Remaining);
            if (await CreditNoteStore.ApplyAsync(scope, tenantId, credit.Id, credit.Number, invoiceId, amount, now))
            {
                owed -= amount;
                applied += amount;
            }
        }

        return applied;
    }

    private async Task<Result<CreditNoteView>> CreditInvoiceAsync(Guid tenantId, Guid invoiceId, long amountMinor, string reason, string actor, CancellationToken cancellationToken)
    {
        var currency = await database.InTenantAsync(tenantId, scope => CreditNoteStore.InvoiceCurrencyAsync(scope, invoiceId), cancellationToken);
        if (currency is null)
        {
            return Problem.NotFound("The finalized invoice");
        }

        var issued = await payments.IssueCreditNoteAsync(tenantId, invoiceId, new IssueCreditNoteRequest(MinorUnits.ToAmount(amountMinor, currency), reason), actor, cancellationToken);
        if (!issued.Succeeded)
        {
            return issued.Problem!;
        }

        return (await database.InTenantAsync(tenantId, scope => ViewsAsync(scope, issued.Value.CreditNote.Id), cancellationToken)).Single();
    }

    private async Task<Result<CreditNoteView>> IssueAccountCreditAsync(
        Guid tenantId, long amountMinor, string? currency, string reason, string actor, long? yearlyLimitMinor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await database.InTenantAsync<Result<CreditNoteView>>(tenantId, async scope =>
        {
            if (await CreditNoteStore.TenantNameAsync(scope, tenantId) is not { Length: > 0 })
            {
                return Problem.NotFound("The business");
            }

            var billed = await CreditNoteStore.BillingCurrencyAsync(scope);
            if (billed is null)
            {
                return Problem.Conflict("The business has no price, so no invoice to take account credit off.");
            }

            if (currency is not null && !string.Equals(currency, billed, StringComparison.Ordinal))
            {
                return Problem.Conflict($"The business is billed in {billed}, not {currency}.");
            }

            var amount = MinorUnits.ToAmount(amountMinor, billed);
            if (yearlyLimitMinor is { } limit)
            {
                // One limit check at a time per business: the lock lasts until this transaction ends.
                await CreditNoteStore.LockCreditLimitAsync(scope, tenantId);
                var yearStart = new DateTimeOffset(now.UtcDateTime.Year, 1, 1, 0, 0, 0, TimeSpan.Zero);
                var given = MinorUnits.FromAmount(await CreditNoteStore.PlaybookCreditSinceAsync(scope, billed, yearStart), billed);
                if (given + amountMinor > limit)
                {
                    return Problem.Conflict(string.Create(CultureInfo.InvariantCulture,
                        $"Over the yearly limit: {given} of {limit} minor units of {billed} already given this year; {amountMinor} more would exceed it."));
                }
            }

            var id = Guid.CreateVersion7();
            var number = await CreditNoteStore.NextNumberAsync(scope);
            await CreditNoteStore.InsertAccountCreditAsync(scope, id, tenantId, number, amount, billed, reason, now, actor);
            await outbox.AddAsync(scope, tenantId, WebhookEventCatalog.CreditNoteIssued, new CreditNoteIssuedEvent(
                id, number, "account", null, null, Money.Of(amount, billed), reason, CreditNoteIssuedEvent.IssuerKind(actor), now), cancellationToken);
            return (await ViewsAsync(scope, id)).Single();
        }, cancellationToken);
    }

    private async Task EmailAsync(Guid tenantId, CreditNoteView note, CancellationToken cancellationToken)
    {
        try
        {
            var (owners, clientName) = await database.InTenantAsync(tenantId, async scope =>
                (await CreditNoteStore.OwnerEmailsAsync(scope), await CreditNoteStore.TenantNameAsync(scope, tenantId)), cancellationToken);
            if (owners.Count == 0)
            {
                logger.LogWarning("Credit note {CreditNoteId} of {TenantId}: the business has no active owner to email", note.Id, tenantId);
                return;
            }

            var brand = await brands.ResolveAsync(null, cancellationToken);
            var issuer = brand.ChosenName ?? options.Value.ProviderName;
            var pdf = CreditNotePdf.Render(note, clientName, issuer, brand);
            var what = note.Kind == "invoice"
                ? $"It lowers what is owed on invoice {note.InvoiceNumber}."
                : "It is credit on your account: it is taken off your next invoice(s).";
            var subject = $"Credit note {note.Number} from {issuer}: {note.Amount.Amount} {note.Amount.Currency}";
            var text = $"{issuer} has issued credit note {note.Number} of {note.Amount.Amount} {note.Amount.Currency} to {clientName}.\n"
                       + $"Reason: {note.Reason}\n{what}\nThe credit note is attached as a PDF.\n";
            var html = $"<p>{WebUtility.HtmlEncode(issuer)} has issued credit note <strong>{WebUtility.HtmlEncode(note.Number)}</strong> of "
                       + $"<strong>{note.Amount.Amount} {note.Amount.Currency}</strong> to {WebUtility.HtmlEncode(clientName)}.</p>"
                       + $"<p>Reason: {WebUtility.HtmlEncode(note.Reason)}</p><p>{WebUtility.HtmlEncode(what)}</p><p>The credit note is attached as a PDF.</p>";
            foreach (var owner in owners)
            {
                // From the provider to its client: the provider's brand (BrandTenantId null).
                await email.SendAsync(new EmailMessage(owner, subject, text, html, [new EmailAttachment($"{note.Number}.pdf", "application/pdf", pdf)]), cancellationToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The credit note is issued and listed either way; the owner reads it at GET /api/v1/credit-notes.
            logger.LogError(exception, "Credit note {CreditNoteId} of {TenantId} could not be emailed", note.Id, tenantId);
        }
    }

    private static async Task<IReadOnlyList<CreditNoteView>> ViewsAsync(DbTransactionScope scope, Guid? id)
    {
        var rows = await CreditNoteStore.ListAsync(scope, id);
        var applications = (await CreditNoteStore.ApplicationsAsync(scope, rows.Where(r => r.InvoiceId is null).Select(r => r.Id).ToArray()))
            .ToLookup(a => a.CreditNoteId);
        return rows.Select(row =>
        {
            var account = row.InvoiceId is null;
            var applied = account ? row.Applied : row.Amount;
            return new CreditNoteView(row.Id, row.TenantId, row.Number, account ? "account" : "invoice", row.InvoiceId, row.InvoiceNumber,
                Money.Of(row.Amount, row.Currency), MinorUnits.FromAmount(row.Amount, row.Currency), row.Reason,
                Money.Of(applied, row.Currency), Money.Of(row.Amount - applied, row.Currency),
                applications[row.Id].Select(a => new CreditApplication(a.InvoiceId, a.InvoiceNumber, Money.Of(a.Amount, a.Currency), a.AppliedAt)).ToList(),
                row.CreatedAt, row.CreatedBy);
        }).ToList();
    }

    private static CreditNoteView ForOwner(CreditNoteView note) =>
        note with { IssuedBy = note.IssuedBy.Split(':', 2)[0] };

    private static decimal Amount(Money money) => decimal.Parse(money.Amount, NumberStyles.Number, CultureInfo.InvariantCulture);

    private static JsonObject Details(CreditNoteView note) => new()
    {
        ["number"] = note.Number,
        ["kind"] = note.Kind,
        ["invoiceId"] = note.InvoiceId?.ToString(),
        ["amount"] = note.Amount.Amount,
        ["currency"] = note.Amount.Currency,
        ["reason"] = note.Reason,
    };

    private static Problem? Validate(IssueAccountCreditRequest request)
    {
        var errors = new ValidationErrors().Required("reason", request.Reason, 500);
        if (request.AmountMinor is not { } minor)
        {
            errors.Add("amountMinor", "is required: the amount in the currency's minor units (cents).");
        }
        else if (minor is < 1 or > MinorUnits.Max)
        {
            errors.Add("amountMinor", $"must be 1 to {MinorUnits.Max.ToString(CultureInfo.InvariantCulture)} minor units.");
        }

        return errors.ToProblem();
    }
}
