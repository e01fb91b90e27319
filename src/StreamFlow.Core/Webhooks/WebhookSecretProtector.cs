using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace StreamFlow.Core.Webhooks;

/// <summary>
/// Encrypts signing secrets at rest with AES-256-GCM under <see cref="WebhookOptions.SecretEncryptionKey"/>. The tenant
/// and endpoint are authenticated data, so a ciphertext copied to another row does not decrypt.
/// Layout: version (1 byte) | nonce (12) | tag (16) | ciphertext.
/// </summary>
public sealed class WebhookSecretProtector(IOptions<WebhookOptions> options)
{
    private const byte FormatVersion = 1;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int KeyBytes = 32;

    private readonly Lazy<byte[]> _key = new(() => DecodeKey(options.Value.SecretEncryptionKey));

    public byte[] Protect(string secret, Guid tenantId, Guid endpointId)
    {
        var plaintext = Encoding.UTF8.GetBytes(secret);
        var output = new byte[1 + NonceBytes + TagBytes + plaintext.Length];
        output[0] = FormatVersion;
        var nonce = output.AsSpan(1, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key.Value, TagBytes);
        aes.Encrypt(nonce, plaintext, output.AsSpan(1 + NonceBytes + TagBytes), output.AsSpan(1 + NonceBytes, TagBytes), AssociatedData(tenantId, endpointId));
        return output;
    }

    public string Unprotect(byte[] protectedSecret, Guid tenantId, Guid endpointId)
    {
        if (protectedSecret.Length < 1 + NonceBytes + TagBytes || protectedSecret[0] != FormatVersion)
        {
            throw new CryptographicException("The stored webhook secret has an unknown format.");
        }

        var plaintext = new byte[protectedSecret.Length - 1 - NonceBytes - TagBytes];
        using var aes = new AesGcm(_key.Value, TagBytes);
        aes.Decrypt(
            protectedSecret.AsSpan(1, NonceBytes),
            protectedSecret.AsSpan(1 + NonceBytes + TagBytes),
            protectedSecret.AsSpan(1 + NonceBytes, TagBytes),
            plaintext,
            AssociatedData(tenantId, endpointId));
        return Encoding.UTF8.GetString(plaintext);
    }

    private static byte[] AssociatedData(Guid tenantId, Guid endpointId) =>
        Encoding.ASCII.GetBytes($"streamflow.webhook-secret.v1:{tenantId:N}:{endpointId:N}");

    private static byte[] DecodeKey(string? encoded)
    {
        byte[]? key = null;
        if (!string.IsNullOrWhiteSpace(encoded))
        {
            try
            {
                key = Convert.FromBase64String(encoded.Trim());
            }
            catch (FormatException)
            {
                key = null;
            }
        }

        return key is { Length: KeyBytes }
            ? key
            : throw new InvalidOperationException("Webhooks:SecretEncryptionKey must be set to base64 of 32 random bytes.");
    }
}
