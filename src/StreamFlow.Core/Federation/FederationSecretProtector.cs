using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace StreamFlow.Core.Federation;

/// <summary>
/// Encrypts peers' shared secrets at rest with AES-256-GCM under <see cref="FederationOptions.SecretEncryptionKey"/>,
/// the key id as associated data so a ciphertext copied to another key's row does not decrypt.
/// Layout: version (1 byte) | nonce (12) | tag (16) | ciphertext.
/// </summary>
public sealed class FederationSecretProtector(IOptions<FederationOptions> options)
{
    private const byte FormatVersion = 1;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly Lazy<byte[]> _key = new(() => DecodeKey(options.Value.SecretEncryptionKey));

    public byte[] Protect(ReadOnlySpan<byte> secret, string keyId)
    {
        var output = new byte[1 + NonceBytes + TagBytes + secret.Length];
        output[0] = FormatVersion;
        var nonce = output.AsSpan(1, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key.Value, TagBytes);
        aes.Encrypt(nonce, secret, output.AsSpan(1 + NonceBytes + TagBytes), output.AsSpan(1 + NonceBytes, TagBytes), AssociatedData(keyId));
        return output;
    }

    public byte[] Unprotect(byte[] protectedSecret, string keyId)
    {
        if (protectedSecret.Length < 1 + NonceBytes + TagBytes || protectedSecret[0] != FormatVersion)
        {
            throw new CryptographicException("The stored federation secret has an unknown format.");
        }

        var plaintext = new byte[protectedSecret.Length - 1 - NonceBytes - TagBytes];
        using var aes = new AesGcm(_key.Value, TagBytes);
        aes.Decrypt(
            protectedSecret.AsSpan(1, NonceBytes),
            protectedSecret.AsSpan(1 + NonceBytes + TagBytes),
            protectedSecret.AsSpan(1 + NonceBytes, TagBytes),
            plaintext,
            AssociatedData(keyId));
        return plaintext;
    }

    private static byte[] AssociatedData(string keyId) => Encoding.UTF8.GetBytes($"streamflow.federation-secret.v1:{keyId}");

    private static byte[] DecodeKey(string? encoded)
    {
        try
        {
            var key = string.IsNullOrWhiteSpace(encoded) ? [] : Convert.FromBase64String(encoded);
            if (key.Length == 32)
            {
                return key;
            }
        }
        catch (FormatException)
        {
        }

        throw new InvalidOperationException("Federation:SecretEncryptionKey must be the base64 of 32 random bytes.");
    }
}
