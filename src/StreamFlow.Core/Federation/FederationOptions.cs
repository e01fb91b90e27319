namespace StreamFlow.Core.Federation;

/// <summary>Deployment-wide federation settings (section <c>Federation</c>).</summary>
public sealed class FederationOptions
{
    public const string Section = "Federation";

    /// <summary>Base64 of 32 random bytes: the AES-256-GCM key that encrypts peers' shared secrets at rest.</summary>
    public string SecretEncryptionKey { get; set; } = "";

    /// <summary>How long a retired key keeps verifying unless the provider says otherwise.</summary>
    public TimeSpan KeyRotationOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How far back the client summaries a member answers reach.</summary>
    public TimeSpan SummaryWindow { get; set; } = TimeSpan.FromDays(30);
}
