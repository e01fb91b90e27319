namespace StreamFlow.Core.Connectors.Adp;

/// <summary>ADP's hosts (section <c>Connectors:Adp</c>); each connection brings its client id and secret and its mutual-TLS certificate.</summary>
public sealed class AdpOptions
{
    public const string Section = "Connectors:Adp";

    /// <summary>The API gateway: <c>{BaseUrl}/hr/v2/workers</c> (UAT: https://uat-api.adp.com).</summary>
    public string BaseUrl { get; set; } = "https://api.adp.com";

    /// <summary>The client-credentials token endpoint, also behind mutual TLS.</summary>
    public string TokenUrl { get; set; } = "https://accounts.adp.com/auth/oauth/v2/token";

    /// <summary>Workers per request (<c>$top</c>; ADP serves at most 100).</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>Approved timesheets sent as pay data per sync page.</summary>
    public int PayDataPerPage { get; set; } = 25;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Hex SHA-256 of the one server certificate to accept instead of the usual chain validation: for a gateway behind
    /// a private CA (and the tests' fake). Empty in production, where ADP's public certificate is validated normally.
    /// </summary>
    public string? PinnedServerCertificateSha256 { get; set; }
}
