using Microsoft.Extensions.Options;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Webhooks;

/// <summary>
/// Encrypts signing secrets at rest (<see cref="SecretBox"/>) under <see cref="WebhookOptions.SecretEncryptionKey"/>. The
/// tenant and endpoint are authenticated data, so a ciphertext copied to another row does not decrypt.
/// </summary>
public sealed class WebhookSecretProtector(IOptions<WebhookOptions> options)
{
    private readonly Lazy<SecretBox> _box = new(() => SecretBox.FromBase64Key(options.Value.SecretEncryptionKey, "Webhooks:SecretEncryptionKey"));

    public byte[] Protect(string secret, Guid tenantId, Guid endpointId) => _box.Value.SealText(secret, AssociatedData(tenantId, endpointId));

    public string Unprotect(byte[] protectedSecret, Guid tenantId, Guid endpointId) => _box.Value.OpenText(protectedSecret, AssociatedData(tenantId, endpointId));

    private static string AssociatedData(Guid tenantId, Guid endpointId) => $"streamflow.webhook-secret.v1:{tenantId:N}:{endpointId:N}";
}
