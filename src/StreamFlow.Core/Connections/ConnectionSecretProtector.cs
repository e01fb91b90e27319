using System.Text.Json;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Core.Connections;

/// <summary>
/// Encrypts a connection's credentials (a JSON object of strings) with <see cref="SecretBox"/> under a key derived from
/// Webhooks:SecretEncryptionKey for this purpose alone, bound to tenant and connection.
/// </summary>
public sealed class ConnectionSecretProtector(IOptions<WebhookOptions> options)
{
    private readonly Lazy<SecretBox> _box = new(() => SecretBox
        .FromBase64Key(options.Value.SecretEncryptionKey, "Webhooks:SecretEncryptionKey (it also protects connection credentials)")
        .Derive("streamflow.connection-credentials.v1"));

    public byte[] Protect(IReadOnlyDictionary<string, string> credentials, Guid tenantId, Guid connectionId) =>
        _box.Value.SealText(JsonSerializer.Serialize(credentials), $"{tenantId:N}:{connectionId:N}");

    public IReadOnlyDictionary<string, string> Unprotect(byte[] stored, Guid tenantId, Guid connectionId) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(_box.Value.OpenText(stored, $"{tenantId:N}:{connectionId:N}")) ?? [];
}
