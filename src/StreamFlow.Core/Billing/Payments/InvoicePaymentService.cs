using Microsoft.Extensions.Logging;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Core.Billing.Payments;

/// <summary>
/// The provider's actions on one client's finalized invoice — record a payment, issue a credit note, void — and the
/// paid transition Stripe's webhook shares. Each runs in the client's own transaction (RLS): another client's invoice
/// id is simply not found. States that cannot change that way answer 409.
/// </summary>
public sealed class InvoicePaymentService(
    StreamFlowDatabase database,
    WebhookOutbox outbox,
    IInvoiceCollectionSync collectionSync,
    TimeProvider timeProvider,
    ILogger<InvoicePaymentService> logger)
{
    public async Task<Result<Invoice>> MarkPaidAsync(
        Guid tenantId, Guid invoiceId, MarkInvoicePaidRequest request, string actor, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var errors = new ValidationErrors().Required("reference", request.Reference, 200);
        if (request.PaidAt is { } paidAt && paidAt > now)
        {
            errors.Add("paidAt", "must not be in the future.");
        }

        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var reference = request.Reference!.Trim();
        var result = await database.InTenantAsync(tenantId, async scope =>
        {
            var state = await InvoicePaymentStore.LockAsync(scope, invoiceId);
            if (state is null)
            {
                return Problem.NotFound("The invoice");
            }

            if (CannotBePaid(state) is { } conflict)
            {
                return conflict;
            }

            await RecordPaidAsync(scope, state, request.PaidAt ?? now, reference, new { source = "provider", actor, reference }, cancellationToken);
            return Result<Invoice>.Success((await InvoiceStore.GetAsync(scope, invoiceId))!);
        }, cancellationToken);

        if (result.Succeeded && result.Value.StripeInvoiceId is { } stripeInvoiceId)
        {
            // Stripe would otherwise keep asking the client for money already received.
            await SyncAsync(() => collectionSync.PaidOutOfBandAsync(tenantId, invoiceId, stripeInvoiceId, cancellationToken), invoiceId);
        }

        return result;
    }

    public async Task<Result<CreditNoteIssued>> IssueCreditNoteAsync(
        Guid tenantId, Guid invoiceId, IssueCreditNoteRequest request, string actor, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors().Required("reason", request.Reason, 500);
        if (request.Amount is not { } amount)
        {
            errors.Add("amount", "is required.");
        }
        else if (amount <= 0)
        {
            errors.Add("amount", "must be greater than zero.");
        }
        else if (decimal.Round(amount, 2) != amount)
        {
            errors.Add("amount", "must have at most two decimal places.");
        }

        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var now = timeProvider.GetUtcNow();
        var result = await database.InTenantAsync(tenantId, async scope =>
        {
            var state = await InvoicePaymentStore.LockAsync(scope, invoiceId);
            if (state is null)
            {
                return Problem.NotFound("The invoice");
            }

            if (state.Status == InvoiceStatus.Draft)
            {
                return Problem.Conflict("A draft invoice cannot be credited; change the draft instead.");
            }

            if (state.Status == InvoiceStatus.Void)
            {
                return Problem.Conflict("A void invoice cannot be credited.");
            }

            if (request.Amount!.Value > state.Remaining)
            {
                return Problem.Conflict($"Only {Money.Of(state.Remaining, state.Currency).Amount} {state.Currency} of this invoice remains to be credited.");
            }

            var number = await InvoicePaymentStore.NextCreditNoteNumberAsync(scope);
            var note = new CreditNote(Guid.CreateVersion7(), invoiceId, number, Money.Of(request.Amount.Value, state.Currency), request.Reason!.Trim(), now, actor);
            await InvoicePaymentStore.InsertCreditNoteAsync(scope, tenantId, note, request.Amount.Value);
            await InvoicePaymentStore.AddCreditAsync(scope, invoiceId, request.Amount.Value, now);
            await InvoicePaymentStore.AddEventAsync(scope, tenantId, invoiceId, InvoiceEventKind.CreditNoteIssued,
                new { creditNoteId = note.Id, number, amount = note.Amount, actor }, now);
            await outbox.AddAsync(scope, tenantId, WebhookEventCatalog.CreditNoteIssued,
                new CreditNoteIssuedEvent(note.Id, number, "invoice", invoiceId, state.Number, note.Amount, note.Reason, CreditNoteIssuedEvent.IssuerKind(actor), now),
                cancellationToken);
            return Result<CreditNoteIssued>.Success(new CreditNoteIssued(note, (await InvoiceStore.GetAsync(scope, invoiceId))!));
        }, cancellationToken);

        if (result.Succeeded && result.Value.Invoice.StripeInvoiceId is { } stripeInvoiceId)
        {
            await SyncAsync(() => collectionSync.CreditAsync(invoiceId, stripeInvoiceId, result.Value.CreditNote, cancellationToken), invoiceId);
        }

        return result;
    }

    public async Task<Result<Invoice>> VoidAsync(Guid tenantId, Guid invoiceId, string actor, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var result = await database.InTenantAsync(tenantId, async scope =>
        {
            var state = await InvoicePaymentStore.LockAsync(scope, invoiceId);
            if (state is null)
            {
                return Problem.NotFound("The invoice");
            }

            if (!state.IsCollectible || state.PaidAt is not null)
            {
                return Problem.Conflict($"Only an unpaid, finalized invoice can be voided; this one is {state.Status}.");
            }

            await InvoicePaymentStore.SetStatusAsync(scope, invoiceId, InvoiceStatus.Void, now);
            await InvoicePaymentStore.AddEventAsync(scope, tenantId, invoiceId, InvoiceEventKind.Voided, new { source = "provider", actor }, now);
            return Result<Invoice>.Success((await InvoiceStore.GetAsync(scope, invoiceId))!);
        }, cancellationToken);

        if (result.Succeeded && result.Value.StripeInvoiceId is { } stripeInvoiceId)
        {
            await SyncAsync(() => collectionSync.VoidAsync(tenantId, invoiceId, stripeInvoiceId, cancellationToken), invoiceId);
        }

        return result;
    }

    /// <summary>
    /// The one way an invoice becomes paid (provider or Stripe): status, paid_at and reference, its history row, and the
    /// <c>invoice.paid</c> webhook event — all in <paramref name="scope"/>, so they commit together or not at all.
    /// </summary>
    internal async Task RecordPaidAsync(
        DbTransactionScope scope, InvoicePaymentState state, DateTimeOffset paidAt, string reference, object details, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        await InvoicePaymentStore.MarkPaidAsync(scope, state.Id, paidAt, reference, now);
        await InvoicePaymentStore.AddEventAsync(scope, state.TenantId, state.Id, InvoiceEventKind.Paid, details, now);
        await outbox.AddAsync(scope, state.TenantId, WebhookEventCatalog.InvoicePaid, new
        {
            invoiceId = state.Id,
            number = state.Number,
            paid = Money.Of(state.Remaining, state.Currency),
            paidAt,
        }, cancellationToken);
    }

    internal static Problem? CannotBePaid(InvoicePaymentState state) => state.Status switch
    {
        InvoiceStatus.Draft => Problem.Conflict("A draft invoice cannot be paid; it is not finalized."),
        InvoiceStatus.Paid => Problem.Conflict("The invoice is already paid."),
        InvoiceStatus.Void => Problem.Conflict("A void invoice cannot be paid."),
        _ => null,
    };

    // Our record is the truth and has committed; a Stripe failure here is logged for the provider to fix in Stripe.
    private async Task SyncAsync(Func<Task> sync, Guid invoiceId)
    {
        try
        {
            await sync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Invoice {InvoiceId} changed here but could not be changed in the payment service", invoiceId);
        }
    }
}
