using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace StreamFlow.IntegrationTests.Billing.Payments;

/// <summary>Stripe webhook deliveries as Stripe sends them: the event JSON and its Stripe-Signature header.</summary>
internal static class StripeEvents
{
    public static byte[] InvoiceEvent(string type, Guid tenantId, Guid invoiceId, string stripeInvoiceId, string? eventId = null, DateTimeOffset? paidAt = null) =>
        JsonSerializer.SerializeToUtf8Bytes(new
        {
            id = eventId ?? $"evt_{Guid.NewGuid():N}",
            @object = "event",
            type,
            created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            data = new
            {
                @object = new
                {
                    id = stripeInvoiceId,
                    @object = "invoice",
                    status = type is "invoice.paid" or "invoice.payment_succeeded" ? "paid" : "open",
                    attempt_count = 1,
                    metadata = new { tenant_id = tenantId.ToString(), invoice_id = invoiceId.ToString(), number = "INV-T" },
                    status_transitions = new { paid_at = paidAt?.ToUnixTimeSeconds() },
                },
            },
        });

    /// <summary>t=&lt;now&gt;,v1=hex(HMAC-SHA256(secret, "{t}.{payload}")), computed here per Stripe's documentation.</summary>
    public static string Sign(byte[] payload, string secret, DateTimeOffset at)
    {
        var t = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signed = Encoding.UTF8.GetBytes(t + "." + Encoding.UTF8.GetString(payload));
        return $"t={t},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed))}";
    }
}
