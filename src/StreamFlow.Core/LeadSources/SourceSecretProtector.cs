using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Core.LeadSources;

/// <summary>
/// Encrypts lead-source credentials (captcha secrets, vendor API keys) at rest with AES-256-GCM. The key is derived by
/// HKDF from the one at-rest key the app already holds for integration secrets (Webhooks:SecretEncryptionKey), with a
/// purpose label of its own, so no second key has to be provisioned and a webhook ciphertext never decrypts here.
/// The tenant and the owning row are authenticated data. Layout: version (1) | nonce (12) | tag (16) | ciphertext.
/// </summary>
public sealed class SourceSecretProtector(IOptions<WebhookOptions> options)
{
    private const byte FormatVersion = 1;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly Lazy<byte[]> _key = new(() => HKDF.DeriveKey(
        HashAlgorithmName.SHA256, MasterKey(options.Value.SecretEncryptionKey), 32, salt: [], info: "streamflow.lead-source-secret.v1"u8.ToArray()));

    public byte[] Protect(string secret, Guid tenantId, Guid ownerId)
    {
        var plaintext = Encoding.UTF8.GetBytes(secret);
        var output = new byte[1 + NonceBytes + TagBytes + plaintext.Length];
        output[0] = FormatVersion;
        RandomNumberGenerator.Fill(output.AsSpan(1, NonceBytes));
        using var aes = new AesGcm(_key.Value, TagBytes);
        aes.Encrypt(output.AsSpan(1, NonceBytes), plaintext, output.AsSpan(1 + NonceBytes + TagBytes), output.AsSpan(1 + NonceBytes, TagBytes),
            AssociatedData(tenantId, ownerId));
        return output;
    }

    public string Unprotect(byte[] stored, Guid tenantId, Guid ownerId)
    {
        if (stored.Length < 1 + NonceBytes + TagBytes || stored[0] != FormatVersion)
        {
            throw new CryptographicException("The stored lead-source secret has an unknown format.");
        }

        var plaintext = new byte[stored.Length - 1 - NonceBytes - TagBytes];
        using var aes = new AesGcm(_key.Value, TagBytes);
        aes.Decrypt(stored.AsSpan(1, NonceBytes), stored.AsSpan(1 + NonceBytes + TagBytes), stored.AsSpan(1 + NonceBytes, TagBytes), plaintext,
            AssociatedData(tenantId, ownerId));
        return Encoding.UTF8.GetString(plaintext);
    }

    private static byte[] AssociatedData(Guid tenantId, Guid ownerId) => Encoding.ASCII.GetBytes($"{tenantId:N}:{ownerId:N}");

    private static byte[] MasterKey(string? encoded)
    {
        var key = new byte[32];
        return !string.IsNullOrWhiteSpace(encoded) && Convert.TryFromBase64String(encoded.Trim(), key, out var written) && written == key.Length
            ? key
            : throw new InvalidOperationException("Webhooks:SecretEncryptionKey must be set to base64 of 32 random bytes (it also protects lead-source secrets).");
    }
}
