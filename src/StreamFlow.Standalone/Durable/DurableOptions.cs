namespace StreamFlow.Standalone.Durable;

public sealed class DurableOptions
{
    public const string Section = "Durable";

    /// <summary><c>AzureStorage</c> (state in Azurite or a Storage account) or <c>InMemory</c> (tests only).</summary>
    public string Backend { get; set; } = "AzureStorage";

    public string TaskHub { get; set; } = "StreamFlow";

    /// <summary>The loopback port of the gRPC sidecar the Durable Task worker and client talk to.</summary>
    public int SidecarPort { get; set; } = 7072;

    /// <summary>
    /// The longest an idle queue of the Azure Storage backend waits before it is polled again (it backs off up to this):
    /// a timer or a message that arrives at an idle hub waits this long at most per hop (docs/workflows.md, "Figures").
    /// </summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    public bool UsesInMemoryBackend => Backend.Equals("InMemory", StringComparison.OrdinalIgnoreCase);
}
