namespace StreamFlow.Core.Connectors.ServiceTitan;

/// <summary>ServiceTitan's hosts (section <c>Connectors:ServiceTitan</c>); each connection brings its tenant id, client id and secret, and app key.</summary>
public sealed class ServiceTitanOptions
{
    public const string Section = "Connectors:ServiceTitan";

    /// <summary>The API host: <c>{BaseUrl}/crm/v2/tenant/{tenant}/customers</c> (integration environment: https://api-integration.servicetitan.io).</summary>
    public string BaseUrl { get; set; } = "https://api.servicetitan.io";

    /// <summary>The token endpoint of the client-credentials grant (integration: https://auth-integration.servicetitan.io/connect/token).</summary>
    public string TokenUrl { get; set; } = "https://auth.servicetitan.io/connect/token";

    /// <summary>Records per request (<c>pageSize</c>, 1 to 5000 as documented).</summary>
    public int PageSize { get; set; } = 500;

    /// <summary>ServiceTitan's APIs time out after 100 s; so do we.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>StreamFlow leads read per bookings page (each open one becomes a booking once).</summary>
    public int BookingsPerPage { get; set; } = 100;
}
