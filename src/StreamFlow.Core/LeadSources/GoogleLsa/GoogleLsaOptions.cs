namespace StreamFlow.Core.LeadSources.GoogleLsa;

/// <summary>
/// The provider's Google Ads API access (section <c>LeadSources:GoogleLsa</c>): one OAuth client and one developer token
/// serve every client business; each connects its own Local Services account (customer id) to it.
/// </summary>
public sealed class GoogleLsaOptions
{
    public const string Section = "LeadSources:GoogleLsa";

    /// <summary>The Google Ads API host; the search is <c>{ApiBaseUrl}/{ApiVersion}/customers/{id}/googleAds:search</c>.</summary>
    public string ApiBaseUrl { get; set; } = "https://googleads.googleapis.com";

    /// <summary>The API version every call pins (Google sunsets versions about a year after release: keep it current).</summary>
    public string ApiVersion { get; set; } = "v21";

    public string TokenUrl { get; set; } = "https://oauth2.googleapis.com/token";

    /// <summary>The consent page; <c>access_type=offline&amp;prompt=consent</c> makes Google grant a refresh token.</summary>
    public string AuthorizationUrl { get; set; } = "https://accounts.google.com/o/oauth2/v2/auth?access_type=offline&prompt=consent";

    public string ClientId { get; set; } = "";

    public string ClientSecret { get; set; } = "";

    /// <summary>Our callback as registered with the OAuth client: <c>https://{host}/api/v1/connectors/oauth/callback</c>.</summary>
    public string RedirectUri { get; set; } = "";

    /// <summary>The Google Ads API developer token, sent as the <c>developer-token</c> header of every call.</summary>
    public string DeveloperToken { get; set; } = "";

    /// <summary>Closed leads whose outcome is sent back as lead feedback per sync page.</summary>
    public int FeedbackPerPage { get; set; } = 100;

    /// <summary>Six-field CRON of the timer that starts feedback-only syncs of connections whose leads were won or lost (read as %LeadSources:GoogleLsa:FeedbackSchedule%).</summary>
    public string FeedbackSchedule { get; set; } = "*/10 * * * * *";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);
}
