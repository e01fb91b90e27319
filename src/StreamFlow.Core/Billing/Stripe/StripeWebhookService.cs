using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Billing.Payments;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Billing.Stripe;

/// <summary>What became of one Stripe webhook delivery: processed, a repeat of a handled event, or not ours to handle.</summary>
public sealed record StripeWebhookOutcome(string EventId, string EventType, string Outcome)
{
    public const string Processed = "processed";
    public const string Duplicate = "duplicate";
    public const string Ignored = "ignored";
}

/// <summary>
/// Applies Stripe's invoice events to our invoices after Stripe.net has verified the <c>Stripe-Signature</c>: paid, payment failed,
/// marked uncollectible, voided. Our invoice is found through the metadata we put on the Stripe invoice (tenant_id,
/// invoice_id), inside that tenant's transaction, and must carry the same stripe_invoice_id. Each event id is handled
/// once (stripe_webhook_events, committed with the change); events we do not act on are acknowledged and ignored.
/// </summary>
public sealed class StripeWebhookService(
    StreamFlowDatabase database,
    InvoicePaymentService payments,
    IOptions<StripeOptions> options,
    TimeProvider timeProvider,
    ILogger<StripeWebhookService> logger)
{
    /// <summary>The header Stripe signs each delivery with.</summary>
    public const string SignatureHeader = "Stripe-Signature";

    public const string InvoicePaid = "invoice.paid";
    public const string InvoicePaymentSucceeded = "invoice.payment_succeeded";
    public const string InvoicePaymentFailed = "invoice.payment_failed";
    public const string InvoiceMarkedUncollectible = "invoice.marked_uncollectible";
    public const string InvoiceVoided = "invoice.voided";

    public async Task<Result<StripeWebhookOutcome>> HandleAsync(ReadOnlyMemory<byte> payload, string? signatureHeader, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.WebhookSecret))
        {
            return new Problem(ProblemKind.Unavailable, "Stripe webhooks are not configured here (Stripe:WebhookSecret).");
        }

        var read = StripeInvoiceEvent.Read(payload.Span, signatureHeader, settings.WebhookSecret, timeProvider.GetUtcNow(), settings.WebhookTolerance);
        if (!read.Succeeded)
        {
            logger.LogWarning("Stripe webhook refused: {Reason}", read.Problem.Detail);
            return read.Problem;
        }

        var received = read.Value;
        if (!IsHandled(received.Type) || received.TenantId is not { } tenantId || received.InvoiceId is not { } invoiceId)
        {
            // Not an invoice event, or an invoice StreamFlow did not create: acknowledged, so that Stripe stops sending it.
            return new StripeWebhookOutcome(received.Id, received.Type, StripeWebhookOutcome.Ignored);
        }

        var outcome = await database.InTenantAsync(tenantId, async scope =>
        {
            var now = timeProvider.GetUtcNow();
            if (!await StripeCollectionStore.ClaimEventAsync(scope, received.Id, received.Type, now))
            {
                return StripeWebhookOutcome.Duplicate;
            }

            var state = await InvoicePaymentStore.LockAsync(scope, invoiceId);
            if (state is null || state.StripeInvoiceId != received.StripeInvoiceId)
            {
                logger.LogWarning("Stripe event {EventId} ({EventType}) names invoice {InvoiceId} of tenant {TenantId}, which has no Stripe invoice {StripeInvoiceId}",
                    received.Id, received.Type, invoiceId, tenantId, received.StripeInvoiceId);
                return StripeWebhookOutcome.Ignored;
            }

            return await ApplyAsync(scope, state, received, now, cancellationToken) ? StripeWebhookOutcome.Processed : StripeWebhookOutcome.Ignored;
        }, cancellationToken);

        logger.LogInformation("Stripe event {EventId} ({EventType}) for invoice {InvoiceId}: {Outcome}", received.Id, received.Type, invoiceId, outcome);
        return new StripeWebhookOutcome(received.Id, received.Type, outcome);
    }

    private static bool IsHandled(string type) =>
        type is InvoicePaid or InvoicePaymentSucceeded or InvoicePaymentFailed or InvoiceMarkedUncollectible or InvoiceVoided;

    private async Task<bool> ApplyAsync(
        DbTransactionScope scope, InvoicePaymentState state, StripeInvoiceEvent received, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var source = new { source = "stripe", stripeEventId = received.Id, stripeInvoiceId = received.StripeInvoiceId };
        switch (received.Type)
        {
            // Stripe sends both for one payment: the first marks the invoice paid, the second finds it paid.
            case InvoicePaid or InvoicePaymentSucceeded when state.IsCollectible:
                await payments.RecordPaidAsync(scope, state, received.PaidAt ?? received.Created, received.PaymentReference ?? received.StripeInvoiceId!,
                    source, cancellationToken);
                return true;
            case InvoicePaymentFailed when state.Status is InvoiceStatus.Open or InvoiceStatus.PaymentFailed:
                await InvoicePaymentStore.SetStatusAsync(scope, state.Id, InvoiceStatus.PaymentFailed, now);
                await InvoicePaymentStore.AddEventAsync(scope, state.TenantId, state.Id, InvoiceEventKind.PaymentFailed,
                    new { source.source, source.stripeEventId, source.stripeInvoiceId, attemptCount = received.AttemptCount, nextPaymentAttempt = received.NextPaymentAttempt }, now);
                return true;
            case InvoiceMarkedUncollectible when state.Status is InvoiceStatus.Open or InvoiceStatus.PaymentFailed:
                await InvoicePaymentStore.SetStatusAsync(scope, state.Id, InvoiceStatus.Uncollectible, now);
                await InvoicePaymentStore.AddEventAsync(scope, state.TenantId, state.Id, InvoiceEventKind.MarkedUncollectible, source, now);
                return true;
            case InvoiceVoided when state.IsCollectible:
                await InvoicePaymentStore.SetStatusAsync(scope, state.Id, InvoiceStatus.Void, now);
                await InvoicePaymentStore.AddEventAsync(scope, state.TenantId, state.Id, InvoiceEventKind.Voided, source, now);
                return true;
            default:
                return false;
        }
    }
}
