namespace StreamFlow.Core.Federation;

/// <summary>Deployment-wide federation settings (section <c>Federation</c>).</summary>
public sealed class FederationOptions
{
    public const string Section = "Federation";

    /// <summary>Base64 of 32 random bytes: the AES-256-GCM key that encrypts peers' shared secrets at rest.</summary>
    public string SecretEncryptionKey { get; set; } = "";

    /// <summary>How long a retired key keeps verifying unless the provider says otherwise.</summary>
    public TimeSpan KeyRotationOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Local development only: lets a member's base URL be plain http to a loopback address.</summary>
    public bool AllowLoopbackForDevelopment { get; set; }

    /// <summary>How long a pull of a member may take (connect, send, answer).</summary>
    public TimeSpan PullTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest member answer read, in bytes.</summary>
    public int MaxSummaryBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>A member whose last successful pull is older than this is stale.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How far back the client summaries a member answers reach.</summary>
    public TimeSpan SummaryWindow { get; set; } = TimeSpan.FromDays(30);
}
