using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Billing.Calculation;
using StreamFlow.Core.Billing.Metering;
using StreamFlow.Core.Billing.Payments;
using StreamFlow.Core.Billing.Pricing;
using StreamFlow.Core.Database;
using StreamFlow.Core.Email;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Tenancy;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Core.Billing.Cycle;

/// <summary>One client's billing run: the client and the period [PeriodStart, PeriodEnd).</summary>
public sealed record BillingRunRequest(Guid TenantId, DateOnly PeriodStart, DateOnly PeriodEnd)
{
    public BillingPeriod Period => new(PeriodStart, PeriodEnd);
}

/// <summary>The draft of a run: null InvoiceId when no day of the period has a price (nothing to bill).</summary>
public sealed record InvoiceDraft(Guid? InvoiceId, bool Finalized);

/// <summary>A finalized invoice: its number and amount due.</summary>
public sealed record FinalizedInvoice(Guid InvoiceId, string Number, Money Total, DateTimeOffset DueAt);

/// <summary>Whom the invoice was emailed to; AlreadyEmailed when an earlier attempt had sent it.</summary>
public sealed record InvoiceEmailed(int Recipients, bool AlreadyEmailed);

/// <summary>
/// The steps of a billing run, each idempotent so that a run repeated or resumed after a crash at any point yields
/// one invoice with one number: collect usage → draft (keyed by client and period) → finalize (number, outbox event,
/// one transaction) → store the HTML document → hand over for collection → email the owners.
/// </summary>
public sealed class BillingCycleService(
    StreamFlowDatabase database,
    UsageCollector collector,
    InvoiceDocuments documents,
    IInvoicePaymentGateway payments,
    WebhookOutbox outbox,
    EmailSender email,
    Branding.BrandResolver brands,
    IOptions<BillingOptions> options,
    TimeProvider timeProvider,
    ILogger<BillingCycleService> logger)
{
    /// <summary>
    /// The runs due today: active clients with a price whose billing day has come and whose last complete period is
    /// not yet finalized and emailed. Reads each client in its own tenant transaction (RLS stays as it is).
    /// </summary>
    public async Task<IReadOnlyList<BillingRunRequest>> FindDueAsync(CancellationToken cancellationToken)
    {
        var today = Today();
        var tenants = await database.InPlatformAsync(TenantStore.ActiveIdsAsync, cancellationToken);
        var due = new List<BillingRunRequest>();
        foreach (var tenantId in tenants)
        {
            var request = await database.InTenantAsync(tenantId, async scope =>
            {
                var timeline = new PricingTimeline(await TenantPricingStore.HistoryAsync(scope));
                if (timeline.At(today) is not { } current)
                {
                    return null;
                }

                var lastFinalizedEnd = await TenantPricingStore.LastFinalizedPeriodEndAsync(scope);
                var period = BillingPeriods.LastComplete(today, current.BillingDay, lastFinalizedEnd);
                if (timeline.FirstEffective >= period.End || period.End < lastFinalizedEnd)
                {
                    return null;
                }

                var done = await InvoiceStore.IsFinalizedAndEmailedAsync(scope, period.Start);
                return done == true ? null : new BillingRunRequest(tenantId, period.Start, period.End);
            }, cancellationToken);
            if (request is not null)
            {
                due.Add(request);
            }
        }

        return due;
    }

    /// <summary>
    /// The run a provider asks for: the period starting on <paramref name="periodStart"/> (the last complete one when
    /// null). 404 for an unknown client; 422 when the client has no price then, or the period is not over yet.
    /// </summary>
    public Task<Result<BillingRunRequest>> PlanRunAsync(Guid tenantId, DateOnly? periodStart, CancellationToken cancellationToken)
    {
        var today = Today();
        return database.InTenantAsync<Result<BillingRunRequest>>(tenantId, async scope =>
        {
            if (!await TenantPricingStore.TenantExistsAsync(scope, tenantId))
            {
                return Problem.NotFound("Tenant");
            }

            var timeline = new PricingTimeline(await TenantPricingStore.HistoryAsync(scope));
            var lastFinalizedEnd = await TenantPricingStore.LastFinalizedPeriodEndAsync(scope);
            BillingPeriod period;
            if (periodStart is { } start)
            {
                var existingEnd = await InvoiceStore.PeriodEndAsync(scope, start);
                if (existingEnd is { } end)
                {
                    return new BillingRunRequest(tenantId, start, end);
                }

                if (timeline.At(start) is not { } terms)
                {
                    return Unprocessable($"The client has no price on {start:yyyy-MM-dd}.");
                }

                if (start < lastFinalizedEnd)
                {
                    return Unprocessable($"The client is invoiced up to {lastFinalizedEnd:yyyy-MM-dd}.");
                }

                period = BillingPeriods.StartingOn(start, terms.BillingDay);
            }
            else if (timeline.At(today) is { } current)
            {
                period = BillingPeriods.LastComplete(today, current.BillingDay, lastFinalizedEnd);
            }
            else
            {
                return Unprocessable("The client has no price today.");
            }

            if (period.End > today)
            {
                return Unprocessable($"The period {period.Start:yyyy-MM-dd} to {period.End:yyyy-MM-dd} is not over yet.");
            }

            return timeline.FirstEffective < period.End
                ? new BillingRunRequest(tenantId, period.Start, period.End)
                : Unprocessable($"The client has no price in the period {period.Start:yyyy-MM-dd} to {period.End:yyyy-MM-dd}.");
        }, cancellationToken);
    }

    /// <summary>Step 1: collects every closed day of the period (idempotent: keys already recorded are skipped).</summary>
    public Task<CollectedUsage> CollectUsageAsync(BillingRunRequest run, CancellationToken cancellationToken) =>
        collector.CollectAsync(run.TenantId, run.PeriodStart, run.PeriodEnd, cancellationToken);

    /// <summary>
    /// Step 2: computes the invoice and stores it as the period's draft — inserted once per (client, period), and
    /// recomputed while it is still a draft; a finalized invoice is returned as it is.
    /// </summary>
    public Task<InvoiceDraft> PrepareDraftAsync(BillingRunRequest run, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = timeProvider.GetUtcNow();
        return database.InTenantAsync(run.TenantId, async scope =>
        {
            var timeline = new PricingTimeline(await TenantPricingStore.HistoryAsync(scope));
            var usage = await UsageMeter.DailyAsync(scope, run.PeriodStart, run.PeriodEnd);
            var calculation = InvoiceCalculator.Calculate(run.Period, timeline, usage, settings.TaxRatePercent / 100m, settings.UsdExchangeRates);
            if (calculation is null)
            {
                return new InvoiceDraft(null, false);
            }

            await InvoiceWriteStore.InsertDraftAsync(scope, Guid.CreateVersion7(), run.TenantId, run.Period, calculation, now);
            var draft = (await InvoiceWriteStore.LockByPeriodAsync(scope, run.PeriodStart))!;
            if (draft.FinalizedAt is not null)
            {
                return new InvoiceDraft(draft.Id, true);
            }

            await InvoiceWriteStore.ReplaceDraftAsync(scope, draft.Id, run.TenantId, run.Period, calculation, now);
            return new InvoiceDraft(draft.Id, false);
        }, cancellationToken);
    }

    /// <summary>
    /// Step 3: finalizes the draft in one transaction — the next invoice number, status open, issued and due dates,
    /// the business's open account credit taken off what is owed, and the <c>invoice.created</c> event in the outbox —
    /// so it happens exactly once. Finalized already: returned as it is.
    /// </summary>
    public Task<FinalizedInvoice> FinalizeAsync(Guid tenantId, Guid invoiceId, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var dueAt = now.AddDays(options.Value.PaymentTermsDays);
        return database.InTenantAsync(tenantId, async scope =>
        {
            var invoice = await InvoiceWriteStore.LockAsync(scope, invoiceId)
                ?? throw new InvalidOperationException($"Invoice {invoiceId} of tenant {tenantId} does not exist.");
            if (invoice.FinalizedAt is not null)
            {
                return new FinalizedInvoice(invoiceId, invoice.Number!, Money.Of(invoice.Total, invoice.Currency), invoice.DueAt!.Value);
            }

            var number = await InvoiceWriteStore.TakeNumberAsync(scope);
            await InvoiceWriteStore.FinalizeAsync(scope, invoiceId, number, now, dueAt);
            // Open account credit comes off what is owed, in this transaction: once, since a finalized invoice is
            // returned above without reaching here again.
            await Credits.CreditNoteService.ApplyOpenCreditAsync(scope, tenantId, invoiceId, now);
            var total = Money.Of(invoice.Total, invoice.Currency);
            await outbox.AddAsync(scope, tenantId, WebhookEventCatalog.InvoiceCreated, new
            {
                InvoiceId = invoiceId,
                Number = number,
                PeriodStart = invoice.PeriodStart,
                PeriodEnd = invoice.PeriodEnd,
                Total = total,
                DueAt = dueAt,
            }, now, cancellationToken);
            return new FinalizedInvoice(invoiceId, number, total, dueAt);
        }, cancellationToken);
    }

    /// <summary>Step 4: renders the finalized invoice's HTML document and stores it; returns its blob path.</summary>
    public async Task<string> StoreDocumentAsync(Guid tenantId, Guid invoiceId, CancellationToken cancellationToken)
    {
        var html = await RenderAsync(tenantId, invoiceId, null, cancellationToken);
        var path = await documents.StoreAsync(tenantId, invoiceId, html, cancellationToken);
        await database.InTenantAsync(tenantId, async scope =>
        {
            await InvoiceWriteStore.SetDocumentAsync(scope, invoiceId, path, timeProvider.GetUtcNow());
            return true;
        }, cancellationToken);
        return path;
    }

    /// <summary>Step 5: hands the invoice to the payment gateway (repeatable by contract) and records that it did, once.</summary>
    public async Task<InvoiceCollection> SubmitForCollectionAsync(Guid tenantId, Guid invoiceId, CancellationToken cancellationToken)
    {
        InvoiceCollection collection;
        try
        {
            collection = await payments.SubmitAsync(tenantId, invoiceId, cancellationToken);
        }
        catch (InvoiceCollectionRejectedException)
        {
            // Refused, not down (a bad key or request, already recorded by the gateway): retrying would not help. The
            // invoice stays finalized and payable and is emailed without a pay-online link.
            logger.LogWarning("The payment service refused invoice {InvoiceId}; it is emailed without a pay-online link", invoiceId);
            return new InvoiceCollection(false, null, null);
        }

        if (collection.Submitted)
        {
            var now = timeProvider.GetUtcNow();
            await database.InTenantAsync(tenantId, async scope =>
            {
                if (collection.ExternalInvoiceId is { } externalId)
                {
                    await InvoiceWriteStore.SetExternalIdAsync(scope, invoiceId, externalId, now);
                }

                await InvoiceWriteStore.AddEventOnceAsync(scope, tenantId, invoiceId, "stripe_submitted",
                    JsonSerializer.Serialize(new { collection.ExternalInvoiceId, collection.HostedInvoiceUrl }, StreamFlowJson.Options), now);
                return true;
            }, cancellationToken);
        }

        return collection;
    }

    /// <summary>
    /// Step 6: emails the invoice as HTML to the client's active owners, unless it was emailed already; marks it
    /// emailed and records the event. A crash between sending and marking can send it again (at least once).
    /// </summary>
    public async Task<InvoiceEmailed> EmailAsync(Guid tenantId, Guid invoiceId, string? payOnlineUrl, CancellationToken cancellationToken)
    {
        var (state, owners, invoice, clientName) = await database.InTenantAsync(tenantId, async scope =>
            (await InvoiceWriteStore.DeliveryStateAsync(scope, invoiceId), await InvoiceWriteStore.OwnersAsync(scope),
             await InvoiceStore.GetAsync(scope, invoiceId), await InvoiceWriteStore.TenantNameAsync(scope, tenantId)), cancellationToken);
        if (state?.FinalizedAt is null || invoice is null)
        {
            throw new InvalidOperationException($"Invoice {invoiceId} is not finalized and cannot be emailed.");
        }

        if (state.EmailedAt is not null)
        {
            return new InvoiceEmailed(0, AlreadyEmailed: true);
        }

        if (owners.Count == 0)
        {
            logger.LogWarning("Invoice {InvoiceId} of {TenantId} has no active owner to email", invoiceId, tenantId);
            return new InvoiceEmailed(0, AlreadyEmailed: false);
        }

        var settings = options.Value;
        var issuer = await brands.DocumentNameAsync(null, settings.ProviderName, cancellationToken);
        var html = InvoiceDocumentRenderer.Render(invoice, clientName ?? "", issuer, settings.PaymentInstructions, payOnlineUrl);
        var subject = $"Invoice {invoice.Number} from {issuer}: {invoice.AmountDue.Amount} {invoice.Currency} due {invoice.DueAt:yyyy-MM-dd}";
        var credited = invoice.CreditedTotal.Amount == "0.00" ? "" : $" (total {invoice.Total.Amount} less {invoice.CreditedTotal.Amount} of credit notes)";
        var text = $"Invoice {invoice.Number} for {invoice.PeriodStart:yyyy-MM-dd} to {invoice.PeriodEnd.AddDays(-1):yyyy-MM-dd}: " +
                   $"{invoice.AmountDue.Amount} {invoice.Currency}{credited}, due {invoice.DueAt:yyyy-MM-dd}.\n\n{settings.PaymentInstructions}\n" +
                   (payOnlineUrl is null ? "" : $"Pay online: {payOnlineUrl}\n");
        foreach (var owner in owners)
        {
            await email.SendAsync(new EmailMessage(owner, subject, text, html), cancellationToken);
        }

        var now = timeProvider.GetUtcNow();
        await database.InTenantAsync(tenantId, async scope =>
        {
            if (await InvoiceWriteStore.SetEmailedAsync(scope, invoiceId, now) == 1)
            {
                await InvoiceWriteStore.AddEventOnceAsync(scope, tenantId, invoiceId, "emailed",
                    JsonSerializer.Serialize(new { Recipients = owners.Count }, StreamFlowJson.Options), now);
            }

            return true;
        }, cancellationToken);
        return new InvoiceEmailed(owners.Count, AlreadyEmailed: false);
    }

    /// <summary>The invoice's HTML document as issued (the console's download can call this, or read the stored blob).</summary>
    public async Task<string> RenderAsync(Guid tenantId, Guid invoiceId, string? payOnlineUrl, CancellationToken cancellationToken)
    {
        var (invoice, clientName) = await database.InTenantAsync(tenantId, async scope =>
            (await InvoiceStore.GetAsync(scope, invoiceId), await InvoiceWriteStore.TenantNameAsync(scope, tenantId)), cancellationToken);
        if (invoice is null)
        {
            throw new InvalidOperationException($"Invoice {invoiceId} of tenant {tenantId} does not exist.");
        }

        return InvoiceDocumentRenderer.Render(invoice, clientName ?? "", await brands.DocumentNameAsync(null, options.Value.ProviderName, cancellationToken),
            options.Value.PaymentInstructions, payOnlineUrl);
    }

    private DateOnly Today() => DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);

    private static Problem Unprocessable(string detail) => new(ProblemKind.Unprocessable, detail);
}
