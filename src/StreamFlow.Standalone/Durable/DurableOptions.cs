namespace StreamFlow.Standalone.Durable;

public sealed class DurableOptions
{
    public const string Section = "Durable";

    /// <summary><c>AzureStorage</c> (state in Azurite or a Storage account) or <c>InMemory</c> (tests only).</summary>
    public string Backend { get; set; } = "AzureStorage";

    public string TaskHub { get; set; } = "StreamFlow";

    /// <summary>The loopback port of the gRPC sidecar the Durable Task worker and client talk to.</summary>
    public int SidecarPort { get; set; } = 7072;

    public bool UsesInMemoryBackend => Backend.Equals("InMemory", StringComparison.OrdinalIgnoreCase);
}
