using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stripe;
using StreamFlow.Core.Billing.Payments;
using StreamFlow.Core.Database;
using CreditNote = StreamFlow.Core.Billing.Payments.CreditNote;

namespace StreamFlow.Core.Billing.Stripe;

/// <summary>
/// Collects finalized invoices through Stripe: ensures the client's customer, creates a draft Stripe invoice (send_invoice,
/// never auto-advanced), adds one invoice item per line (plus the tax), finalizes it and has Stripe email it.
/// Every step is resumable: each Stripe call carries an idempotency key derived from our ids, and each result is stored
/// (customer id, stripe_invoice_id, invoice_events) before the next step, so a run repeated after a crash at any point
/// reaches the same single Stripe invoice.
/// </summary>
internal sealed class StripeInvoicePayments(
    StripeClient stripe,
    StreamFlowDatabase database,
    IOptions<StripeOptions> options,
    TimeProvider timeProvider,
    ILogger<StripeInvoicePayments> logger) : IInvoicePaymentGateway, IInvoiceCollectionSync
{
    public bool IsConfigured => true;

    public async Task<InvoiceCollection> SubmitAsync(Guid tenantId, Guid invoiceId, CancellationToken cancellationToken)
    {
        var state = await database.InTenantAsync(tenantId, async scope => new SubmissionState(
            await InvoiceStore.GetAsync(scope, invoiceId),
            await StripeCollectionStore.CustomerIdAsync(scope, tenantId),
            await InvoicePaymentStore.LatestEventAsync(scope, invoiceId, InvoiceEventKind.StripeFinalized),
            await InvoicePaymentStore.LatestEventAsync(scope, invoiceId, InvoiceEventKind.StripeSubmitted),
            await StripeCollectionStore.BillingContactAsync(scope, tenantId)), cancellationToken);

        var invoice = state.Invoice ?? throw new InvalidOperationException($"Invoice {invoiceId} of tenant {tenantId} does not exist.");
        if (invoice.Status == InvoiceStatus.Draft)
        {
            throw new InvalidOperationException($"Invoice {invoiceId} is a draft: only finalized invoices are collected.");
        }

        if (state.Submitted is { } submitted)
        {
            return new InvoiceCollection(true, invoice.StripeInvoiceId, HostedUrlOf(submitted));
        }

        if (invoice.Status is not (InvoiceStatus.Open or InvoiceStatus.PaymentFailed) || StripeAmounts.ToMinorUnits(invoice.AmountDue) <= 0)
        {
            // Paid by bank transfer, voided or credited in full before it reached Stripe: nothing to collect.
            return new InvoiceCollection(false, invoice.StripeInvoiceId, null);
        }

        var items = ItemsOf(invoice);
        try
        {
            var customerId = state.CustomerId ?? await CreateCustomerAsync(tenantId, state.Contact, cancellationToken);
            var stripeInvoiceId = invoice.StripeInvoiceId ?? await CreateInvoiceAsync(invoice, customerId, cancellationToken);
            var hostedUrl = state.Finalized is { } finalized
                ? HostedUrlOf(finalized)
                : await AddItemsAndFinalizeAsync(invoice, customerId, stripeInvoiceId, items, cancellationToken);

            var sent = await stripe.V1.Invoices.SendInvoiceAsync(stripeInvoiceId, null, Key($"send-{invoiceId}"), cancellationToken);
            hostedUrl = sent.HostedInvoiceUrl ?? hostedUrl;
            await database.InTenantAsync(tenantId, scope => InvoicePaymentStore.AddEventAsync(scope, tenantId, invoiceId,
                InvoiceEventKind.StripeSubmitted, new { stripeInvoiceId, hostedInvoiceUrl = hostedUrl }, timeProvider.GetUtcNow()), cancellationToken);
            logger.LogInformation("Invoice {InvoiceId} of tenant {TenantId} was sent through Stripe as {StripeInvoiceId}", invoiceId, tenantId, stripeInvoiceId);
            return new InvoiceCollection(true, stripeInvoiceId, hostedUrl);
        }
        catch (StripeException exception) when (IsRejection(exception))
        {
            throw await RejectedAsync(tenantId, invoiceId, exception, cancellationToken);
        }
    }

    public async Task PaidOutOfBandAsync(Guid tenantId, Guid invoiceId, string externalInvoiceId, CancellationToken cancellationToken)
    {
        var invoice = await stripe.V1.Invoices.GetAsync(externalInvoiceId, null, null, cancellationToken);
        if (invoice.Status is "open")
        {
            await stripe.V1.Invoices.PayAsync(externalInvoiceId, new InvoicePayOptions { PaidOutOfBand = true },
                Key($"paid-out-of-band-{invoiceId}"), cancellationToken);
        }
    }

    public async Task CreditAsync(Guid invoiceId, string externalInvoiceId, CreditNote creditNote, CancellationToken cancellationToken)
    {
        var invoice = await stripe.V1.Invoices.GetAsync(externalInvoiceId, null, null, cancellationToken);
        if (invoice.Status is not ("open" or "paid"))
        {
            logger.LogWarning("Credit note {CreditNoteId} of invoice {InvoiceId} is not reflected in Stripe: the Stripe invoice is {StripeStatus}",
                creditNote.Id, invoiceId, invoice.Status);
            return;
        }

        var amount = StripeAmounts.ToMinorUnits(creditNote.Amount);
        await stripe.V1.CreditNotes.CreateAsync(new CreditNoteCreateOptions
        {
            Invoice = externalInvoiceId,
            Amount = amount,
            // On a paid invoice the money went back (or will) outside Stripe: Stripe needs to be told where it went.
            OutOfBandAmount = invoice.Status == "paid" ? amount : null,
            Memo = $"{creditNote.Number}: {creditNote.Reason}",
            Metadata = new Dictionary<string, string> { ["invoice_id"] = invoiceId.ToString(), ["credit_note_id"] = creditNote.Id.ToString(), ["number"] = creditNote.Number },
        }, Key($"creditnote-{creditNote.Id}"), cancellationToken);
    }

    public async Task VoidAsync(Guid tenantId, Guid invoiceId, string externalInvoiceId, CancellationToken cancellationToken)
    {
        var invoice = await stripe.V1.Invoices.GetAsync(externalInvoiceId, null, null, cancellationToken);
        if (invoice.Status is "open" or "uncollectible")
        {
            await stripe.V1.Invoices.VoidInvoiceAsync(externalInvoiceId, null, Key($"void-{invoiceId}"), cancellationToken);
        }
        else if (invoice.Status is "draft")
        {
            await stripe.V1.Invoices.DeleteAsync(externalInvoiceId, null, Key($"delete-{invoiceId}"), cancellationToken);
        }
    }

    private async Task<string> CreateCustomerAsync(Guid tenantId, StripeCollectionStore.BillingContact? contact, CancellationToken cancellationToken)
    {
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions
        {
            Name = contact?.Name,
            Email = contact?.Email,
            Metadata = new Dictionary<string, string> { ["tenant_id"] = tenantId.ToString() },
        }, Key($"customer-{tenantId}"), cancellationToken);
        return await database.InTenantAsync(tenantId,
            scope => StripeCollectionStore.StoreCustomerAsync(scope, tenantId, customer.Id, timeProvider.GetUtcNow()), cancellationToken);
    }

    private async Task<string> CreateInvoiceAsync(Invoice invoice, string customerId, CancellationToken cancellationToken)
    {
        // Created first and empty, so that its items are attached to it by id: items pending on the customer from any
        // other attempt can never be swept into this invoice.
        var created = await stripe.V1.Invoices.CreateAsync(new InvoiceCreateOptions
        {
            Customer = customerId,
            Currency = invoice.Currency.ToLowerInvariant(),
            CollectionMethod = "send_invoice",
            DaysUntilDue = options.Value.DaysUntilDue,
            AutoAdvance = false,
            PendingInvoiceItemsBehavior = "exclude",
            Description = $"{invoice.Number}: {invoice.PeriodStart:yyyy-MM-dd} to {invoice.PeriodEnd.AddDays(-1):yyyy-MM-dd}",
            Metadata = new Dictionary<string, string>
            {
                ["tenant_id"] = invoice.TenantId.ToString(),
                ["invoice_id"] = invoice.Id.ToString(),
                ["number"] = invoice.Number!,
            },
        }, Key($"invoice-{invoice.Id}"), cancellationToken);

        var now = timeProvider.GetUtcNow();
        await database.InTenantAsync(invoice.TenantId, async scope =>
        {
            await StripeCollectionStore.SetStripeInvoiceAsync(scope, invoice.Id, created.Id, now);
            return await InvoicePaymentStore.AddEventAsync(scope, invoice.TenantId, invoice.Id, InvoiceEventKind.StripeInvoiceCreated,
                new { stripeInvoiceId = created.Id, stripeCustomerId = customerId }, now);
        }, cancellationToken);
        return created.Id;
    }

    private async Task<string?> AddItemsAndFinalizeAsync(
        Invoice invoice, string customerId, string stripeInvoiceId, IReadOnlyList<StripeInvoiceItem> items, CancellationToken cancellationToken)
    {
        foreach (var item in items)
        {
            await stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions
            {
                Customer = customerId,
                Invoice = stripeInvoiceId,
                Amount = item.Amount,
                Currency = invoice.Currency.ToLowerInvariant(),
                Description = item.Description,
                Period = item.Period,
                Metadata = new Dictionary<string, string> { ["invoice_id"] = invoice.Id.ToString(), ["line"] = item.Key },
            }, Key($"invoiceitem-{invoice.Id}-{item.Key}"), cancellationToken);
        }

        var finalized = await stripe.V1.Invoices.FinalizeInvoiceAsync(stripeInvoiceId, new InvoiceFinalizeOptions { AutoAdvance = false },
            Key($"finalize-{invoice.Id}"), cancellationToken);
        await database.InTenantAsync(invoice.TenantId, scope => InvoicePaymentStore.AddEventAsync(scope, invoice.TenantId, invoice.Id,
            InvoiceEventKind.StripeFinalized, new { stripeInvoiceId, hostedInvoiceUrl = finalized.HostedInvoiceUrl }, timeProvider.GetUtcNow()), cancellationToken);
        return finalized.HostedInvoiceUrl;
    }

    /// <summary>
    /// One Stripe item per invoice line, and the tax as one more. They must add up to the invoice's total, or the client
    /// would be asked by Stripe for another amount than the invoice we emailed: that is refused before anything is sent.
    /// </summary>
    internal static IReadOnlyList<StripeInvoiceItem> ItemsOf(Invoice invoice)
    {
        var items = invoice.Lines.Select(line => new StripeInvoiceItem(
            line.Position.ToString(CultureInfo.InvariantCulture),
            StripeAmounts.ToMinorUnits(line.Amount),
            line.Description,
            new InvoiceItemPeriodOptions
            {
                Start = line.PeriodStart.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
                End = line.PeriodEnd.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
            })).ToList();
        var tax = StripeAmounts.ToMinorUnits(invoice.TaxTotal);
        if (tax != 0)
        {
            items.Add(new StripeInvoiceItem("tax", tax, $"Tax ({(invoice.TaxRate * 100m).ToString("0.####", CultureInfo.InvariantCulture)}%)", null));
        }

        var total = StripeAmounts.ToMinorUnits(invoice.Total);
        if (items.Sum(i => i.Amount) != total)
        {
            throw new InvoiceCollectionRejectedException(
                $"Invoice {invoice.Id}: its lines and tax add up to {items.Sum(i => i.Amount)} minor units, its total is {total}; not sent to Stripe.");
        }

        // Credit notes issued before the invoice reached Stripe; later ones become Stripe credit notes (CreditAsync).
        var credited = StripeAmounts.ToMinorUnits(invoice.CreditedTotal);
        if (credited != 0)
        {
            items.Add(new StripeInvoiceItem("credited", -credited, "Credit notes", null));
        }

        return items;
    }

    // 4xx other than 409 (Stripe.net retries that itself) and 429 (rate limited): a repeat would be refused the same way.
    private static bool IsRejection(StripeException exception) =>
        (int)exception.HttpStatusCode is >= 400 and < 500 && exception.HttpStatusCode is not (HttpStatusCode.Conflict or HttpStatusCode.TooManyRequests);

    private async Task<InvoiceCollectionRejectedException> RejectedAsync(Guid tenantId, Guid invoiceId, StripeException exception, CancellationToken cancellationToken)
    {
        var error = exception.StripeError;
        // Stripe's messages name parameters and ids, never the key beyond its last four characters.
        logger.LogError("Stripe refused invoice {InvoiceId} of tenant {TenantId}: {StatusCode} {ErrorType} {ErrorCode} {ErrorParam}: {ErrorMessage}",
            invoiceId, tenantId, (int)exception.HttpStatusCode, error?.Type, error?.Code, error?.Param, error?.Message);
        await database.InTenantAsync(tenantId, scope => InvoicePaymentStore.AddEventAsync(scope, tenantId, invoiceId, InvoiceEventKind.StripeRejected,
            new { status = (int)exception.HttpStatusCode, type = error?.Type, code = error?.Code, param = error?.Param, message = error?.Message },
            timeProvider.GetUtcNow()), cancellationToken);
        return new InvoiceCollectionRejectedException(
            $"Stripe refused invoice {invoiceId} ({(int)exception.HttpStatusCode} {error?.Type}/{error?.Code}): {error?.Message}", exception);
    }

    private static RequestOptions Key(string idempotencyKey) => new() { IdempotencyKey = idempotencyKey };

    private static string? HostedUrlOf(JsonElement details) =>
        details.TryGetProperty("hostedInvoiceUrl", out var url) && url.ValueKind == JsonValueKind.String ? url.GetString() : null;

    private sealed record SubmissionState(
        Invoice? Invoice, string? CustomerId, JsonElement? Finalized, JsonElement? Submitted, StripeCollectionStore.BillingContact? Contact);
}

/// <param name="Key">The line's position, or "tax": the last part of the item's idempotency key.</param>
internal sealed record StripeInvoiceItem(string Key, long Amount, string Description, InvoiceItemPeriodOptions? Period);
