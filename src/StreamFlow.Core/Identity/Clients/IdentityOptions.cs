using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace StreamFlow.Core.Identity.Clients;

public sealed class IdentityOptions
{
    public const string Section = "Identity";

    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    public TimeSpan SessionAbsoluteLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>last_seen_at is written at most this often per session, keeping authenticated reads read-only.</summary>
    public TimeSpan SessionTouchInterval { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan PasswordResetLifetime { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Reset requests an account (tenant + email, existing or not) may make in an hour before delays start.</summary>
    public int FreePasswordResetsPerAccount { get; set; } = 3;

    /// <summary>Reset requests one address may make in an hour before delays start, whatever accounts it names.</summary>
    public int FreePasswordResetsPerAddress { get; set; } = 20;

    /// <summary>
    /// Where a frontend serves the reset and invitation pages; the emailed links point there. Unset, it is the host's
    /// own URL (<see cref="From"/>).
    /// </summary>
    public string? PublicAppUrl { get; set; }

    /// <summary>
    /// The options as configured, with <see cref="PublicAppUrl"/> defaulting to this host's own URL: the Function App's
    /// <c>WEBSITE_HOSTNAME</c> in Azure, else the standalone host's loopback port (<c>STREAMFLOW_PORT</c>, 7071).
    /// Never the request's Host header, which a caller could point at a site of their own.
    /// </summary>
    public static IdentityOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<IdentityOptions>() ?? new IdentityOptions();
        if (string.IsNullOrWhiteSpace(options.PublicAppUrl))
        {
            options.PublicAppUrl = configuration["WEBSITE_HOSTNAME"] is { Length: > 0 } siteHost
                ? $"https://{siteHost}"
                : string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{configuration.GetValue("STREAMFLOW_PORT", 7071)}");
        }

        options.PublicAppUrl = options.PublicAppUrl.TrimEnd('/');
        return options;
    }
}
