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

    /// <summary>Where a frontend serves the reset and invitation pages; the emailed links point there.</summary>
    public string PublicAppUrl { get; set; } = "http://127.0.0.1:7071";
}
