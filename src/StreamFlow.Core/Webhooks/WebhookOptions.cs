namespace StreamFlow.Core.Webhooks;

/// <summary>Deployment-wide webhook settings (section <c>Webhooks</c>). Per-tenant retry overrides live in the database.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>
    /// Local development only: lets endpoints point at loopback addresses, over plain http too. Every other private,
    /// link-local or reserved address stays refused.
    /// </summary>
    public bool AllowLoopbackForDevelopment { get; set; }

    /// <summary>Base64 of 32 random bytes: the AES-256-GCM key that encrypts signing secrets at rest.</summary>
    public string SecretEncryptionKey { get; set; } = "";

    /// <summary>An attempt succeeds only if a 2xx arrives within this time (connect, send, response headers).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How much of a response body is read before the connection is dropped.</summary>
    public int MaxResponseBodyBytes { get; set; } = 64 * 1024;

    /// <summary>How long the previous signing secret stays valid after a rotation unless the caller says otherwise.</summary>
    public TimeSpan SecretRotationOverlap { get; set; } = TimeSpan.FromHours(24);

    public int MaxEndpointsPerTenant { get; set; } = 50;

    public WebhookRetryOptions Retry { get; set; } = new();

    public WebhookDispatchOptions Dispatch { get; set; } = new();
}

/// <summary>The dispatcher that turns committed outbox rows into started delivery orchestrations.</summary>
public sealed class WebhookDispatchOptions
{
    /// <summary>Events claimed per batch; a sweep keeps claiming until the outbox is empty or <see cref="MaxBatchesPerSweep"/>.</summary>
    public int BatchSize { get; set; } = 200;

    public int MaxBatchesPerSweep { get; set; } = 50;

    /// <summary>While claimed, an event is skipped by other dispatchers; after a crash it is claimed again.</summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A pending delivery this far past its due time has lost its orchestration and is started again.</summary>
    public TimeSpan StalledAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Wake the dispatcher on PostgreSQL NOTIFY when an event commits (standalone host; the timer stays the safety net).</summary>
    public bool ListenForNotifications { get; set; }
}
