namespace StreamFlow.Core.Connectors.QuickBooks;

/// <summary>
/// The provider's Intuit app and QuickBooks Online's endpoints (section <c>Connectors:QuickBooks</c>). One app serves
/// every client business: each connects its own company (realm) to it by OAuth2, and Intuit signs every webhook
/// notification of the app with its one verifier token.
/// </summary>
public sealed class QuickBooksOptions
{
    public const string Section = "Connectors:QuickBooks";

    /// <summary>The Accounting API host; calls go to <c>{BaseUrl}/v3/company/{realmId}/...</c> (sandbox: https://sandbox-quickbooks.api.intuit.com).</summary>
    public string BaseUrl { get; set; } = "https://quickbooks.api.intuit.com";

    public string AuthorizationUrl { get; set; } = "https://appcenter.intuit.com/connect/oauth2";

    public string TokenUrl { get; set; } = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer";

    public string ClientId { get; set; } = "";

    public string ClientSecret { get; set; } = "";

    /// <summary>Our callback as registered with the app: <c>https://{host}/api/v1/connectors/oauth/callback</c>.</summary>
    public string RedirectUri { get; set; } = "";

    /// <summary>The app's webhook Verifier Token: the HMAC-SHA256 key of <c>intuit-signature</c>.</summary>
    public string WebhookVerifierToken { get; set; } = "";

    /// <summary>The Accounting API minor version every call pins, so that a new one never changes our payloads under us.</summary>
    public string MinorVersion { get; set; } = "75";

    /// <summary>Leads read per sync page (each won one may become a customer and an invoice).</summary>
    public int LeadsPerPage { get; set; } = 100;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);
}
