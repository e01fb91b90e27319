using System.Text.Json;
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
/// Applies Stripe's invoice events to our invoices after verifying the <c>Stripe-Signature</c>: paid, payment failed,
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

        var check = StripeSignature.Verify(payload.Span, signatureHeader, settings.WebhookSecret, timeProvider.GetUtcNow(), settings.WebhookTolerance);
        if (check != StripeSignatureCheck.Valid)
        {
            logger.LogWarning("Stripe webhook refused: signature {SignatureCheck}", check);
            return new Problem(ProblemKind.Validation, check switch
            {
                StripeSignatureCheck.Missing => "The Stripe-Signature header is missing.",
                StripeSignatureCheck.Malformed => "The Stripe-Signature header has no timestamp or no v1 signature.",
                StripeSignatureCheck.Expired => "The Stripe-Signature timestamp is outside the tolerance.",
                _ => "The Stripe-Signature header does not match the payload.",
            });
        }

        StripeInvoiceEvent? received;
        try
        {
            received = StripeInvoiceEvent.Parse(payload.Span);
        }
        catch (JsonException)
        {
            return Problem.Validation("$", "The payload is not a Stripe event.");
        }

        if (received is null)
        {
            return Problem.Validation("$", "The payload is not a Stripe event.");
        }

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

/// <summary>The parts of a Stripe event about an invoice that StreamFlow reads (Stripe's JSON, snake_case).</summary>
internal sealed record StripeInvoiceEvent(
    string Id,
    string Type,
    DateTimeOffset Created,
    string? StripeInvoiceId,
    Guid? TenantId,
    Guid? InvoiceId,
    DateTimeOffset? PaidAt,
    string? PaymentReference,
    long? AttemptCount,
    DateTimeOffset? NextPaymentAttempt)
{
    public static StripeInvoiceEvent? Parse(ReadOnlySpan<byte> payload)
    {
        using var document = JsonDocument.Parse(payload.ToArray());
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || String(root, "id") is not { } id || String(root, "type") is not { } type)
        {
            return null;
        }

        var created = Unix(root, "created") ?? DateTimeOffset.UnixEpoch;
        if (!root.TryGetProperty("data", out var data) || !data.TryGetProperty("object", out var invoice)
            || invoice.ValueKind != JsonValueKind.Object || String(invoice, "object") != "invoice")
        {
            return new StripeInvoiceEvent(id, type, created, null, null, null, null, null, null, null);
        }

        var metadata = invoice.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        Guid? Metadata(string name) =>
            metadata.ValueKind == JsonValueKind.Object && Guid.TryParse(String(metadata, name), out var value) ? value : null;
        var paidAt = invoice.TryGetProperty("status_transitions", out var transitions) && transitions.ValueKind == JsonValueKind.Object
            ? Unix(transitions, "paid_at")
            : null;
        // Older API versions name the payment on the invoice; newer ones only under payments: the invoice id then.
        var reference = String(invoice, "payment_intent") ?? String(invoice, "charge");
        var attempts = invoice.TryGetProperty("attempt_count", out var count) && count.ValueKind == JsonValueKind.Number ? count.GetInt64() : (long?)null;
        return new StripeInvoiceEvent(id, type, created, String(invoice, "id"), Metadata("tenant_id"), Metadata("invoice_id"),
            paidAt, reference, attempts, Unix(invoice, "next_payment_attempt"));
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Unix(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
}
