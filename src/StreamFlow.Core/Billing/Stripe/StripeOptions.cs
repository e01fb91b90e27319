namespace StreamFlow.Core.Billing.Stripe;

/// <summary>Stripe settings (section <c>Stripe</c>). Without a secret key invoices are only emailed.</summary>
public sealed class StripeOptions
{
    public const string Section = "Stripe";

    /// <summary>The secret API key (sk_live_... / sk_test_...). Set: invoices are collected through Stripe.</summary>
    public string? SecretKey { get; set; }

    /// <summary>The signing secret of the webhook endpoint (whsec_...), which verifies Stripe-Signature.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Another API base URL: only for a local fake of the Stripe API in tests.</summary>
    public string? ApiBase { get; set; }

    /// <summary>Days the client has to pay a sent Stripe invoice.</summary>
    public int DaysUntilDue { get; set; } = 14;

    /// <summary>Stripe.net's own retries of connection errors, 409 and 5xx (with its idempotency keys).</summary>
    public int MaxNetworkRetries { get; set; } = 2;

    /// <summary>How far a webhook's signed timestamp may be from now (Stripe's default tolerance).</summary>
    public TimeSpan WebhookTolerance { get; set; } = TimeSpan.FromSeconds(300);

    public bool CollectsInvoices => !string.IsNullOrWhiteSpace(SecretKey);
}
