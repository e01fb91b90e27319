using System.Text;
using System.Text.Json;
using Stripe;
using StreamFlow.Core.Kernel;
using StripeInvoice = Stripe.Invoice;

namespace StreamFlow.Core.Billing.Stripe;

/// <summary>The parts of a verified Stripe event about an invoice that StreamFlow reads; the ids are null for other events.</summary>
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
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Verifies the <c>Stripe-Signature</c> header and reads the event with Stripe.net (<see cref="EventUtility.ConstructEvent(string, string, string, long, long, bool)"/>):
    /// any v1 signature over <c>"{t}.{body}"</c> may match, and <c>t</c> must lie within <paramref name="tolerance"/> of <paramref name="now"/>.
    /// </summary>
    public static Result<StripeInvoiceEvent> Read(ReadOnlySpan<byte> payload, string? signatureHeader, string secret, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            return Refused("The Stripe-Signature header is missing.");
        }

        Event? received;
        try
        {
            // The endpoint's API version may differ from Stripe.net's: the invoice fields read here exist in all of them.
            received = EventUtility.ConstructEvent(StrictUtf8.GetString(payload), signatureHeader, secret,
                (long)tolerance.TotalSeconds, now.ToUnixTimeSeconds(), throwOnApiVersionMismatch: false);
        }
        catch (StripeException exception)
        {
            return Refused($"The Stripe-Signature header does not verify: {exception.Message}");
        }
        catch (Exception exception) when (exception is FormatException or OverflowException)
        {
            return Refused("The Stripe-Signature timestamp is not a number of seconds.");
        }
        catch (Exception exception) when (exception is JsonException or ArgumentException or InvalidOperationException)
        {
            // DecoderFallbackException (not UTF-8) is an ArgumentException.
            return NotAnEvent;
        }

        if (received is null || string.IsNullOrEmpty(received.Id) || string.IsNullOrEmpty(received.Type))
        {
            return NotAnEvent;
        }

        var created = Utc(received.Created) ?? DateTimeOffset.UnixEpoch;
        if (received.Data?.Object is not StripeInvoice invoice)
        {
            return new StripeInvoiceEvent(received.Id, received.Type, created, null, null, null, null, null, null, null);
        }

        return new StripeInvoiceEvent(received.Id, received.Type, created, invoice.Id, Metadata(invoice, "tenant_id"), Metadata(invoice, "invoice_id"),
            Utc(invoice.StatusTransitions?.PaidAt), PaymentReferenceOf(invoice), invoice.AttemptCount, Utc(invoice.NextPaymentAttempt));
    }

    private static Problem NotAnEvent => Problem.Validation("$", "The payload is not a Stripe event.");

    private static Problem Refused(string detail) => new(ProblemKind.Validation, detail);

    private static Guid? Metadata(StripeInvoice invoice, string name) =>
        invoice.Metadata is { } metadata && metadata.TryGetValue(name, out var value) && Guid.TryParse(value, out var id) ? id : null;

    // The payment that settled the invoice (its PaymentIntent, else its charge); null: the caller names the invoice instead.
    private static string? PaymentReferenceOf(StripeInvoice invoice) =>
        invoice.Payments?.Data?.FirstOrDefault(payment => payment.Status == "paid")?.Payment is { } payment
            ? payment.PaymentIntentId ?? payment.ChargeId
            : null;

    private static DateTimeOffset? Utc(DateTime? value) =>
        value is { } at && at != default ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
}
