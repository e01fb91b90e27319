using Microsoft.Extensions.Options;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Core.LeadSources;

/// <summary>
/// Encrypts web-form captcha secrets at rest (<see cref="SecretBox"/>) under a key derived by HKDF from the one at-rest
/// key the app already holds for integration secrets (Webhooks:SecretEncryptionKey), with a purpose label of its own, so
/// no second key has to be provisioned and a webhook ciphertext never decrypts here. The tenant and the owning row are
/// authenticated data.
/// </summary>
public sealed class SourceSecretProtector(IOptions<WebhookOptions> options)
{
    private readonly Lazy<SecretBox> _box = new(() => SecretBox
        .FromBase64Key(options.Value.SecretEncryptionKey, "Webhooks:SecretEncryptionKey (it also protects lead-source secrets)")
        .Derive("streamflow.lead-source-secret.v1"));

    public byte[] Protect(string secret, Guid tenantId, Guid ownerId) => _box.Value.SealText(secret, $"{tenantId:N}:{ownerId:N}");

    public string Unprotect(byte[] stored, Guid tenantId, Guid ownerId) => _box.Value.OpenText(stored, $"{tenantId:N}:{ownerId:N}");
}
