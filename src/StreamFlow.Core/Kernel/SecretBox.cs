using System.Security.Cryptography;
using System.Text;

namespace StreamFlow.Core.Kernel;

/// <summary>
/// AES-256-GCM for secrets at rest (webhook signing secrets, federation peers' secrets, lead-source and connection
/// credentials). Callers bind each ciphertext to its owner through the associated data, so a ciphertext copied to
/// another row does not decrypt. Layout: version (1 byte) | nonce (12) | tag (16) | ciphertext.
/// </summary>
public sealed class SecretBox
{
    private const byte FormatVersion = 1;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int KeyBytes = 32;

    private readonly byte[] _key;

    private SecretBox(byte[] key) => _key = key;

    /// <summary>The box for a setting holding base64 of 32 random bytes; anything else is a configuration error naming the setting.</summary>
    public static SecretBox FromBase64Key(string? encoded, string settingName)
    {
        var key = new byte[KeyBytes];
        return !string.IsNullOrWhiteSpace(encoded) && Convert.TryFromBase64String(encoded.Trim(), key, out var written) && written == KeyBytes
            ? new SecretBox(key)
            : throw new InvalidOperationException($"{settingName} must be set to base64 of 32 random bytes.");
    }

    /// <summary>A box under a key derived by HKDF-SHA256 for <paramref name="purpose"/>: one provisioned key, no ciphertext readable across purposes.</summary>
    public SecretBox Derive(string purpose) =>
        new(HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, KeyBytes, salt: [], info: Encoding.UTF8.GetBytes(purpose)));

    public byte[] Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var output = new byte[1 + NonceBytes + TagBytes + plaintext.Length];
        output[0] = FormatVersion;
        var nonce = output.AsSpan(1, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(nonce, plaintext, output.AsSpan(1 + NonceBytes + TagBytes), output.AsSpan(1 + NonceBytes, TagBytes), associatedData);
        return output;
    }

    /// <exception cref="CryptographicException">Unknown format, another key, or other associated data.</exception>
    public byte[] Open(ReadOnlySpan<byte> sealedSecret, ReadOnlySpan<byte> associatedData)
    {
        if (sealedSecret.Length < 1 + NonceBytes + TagBytes || sealedSecret[0] != FormatVersion)
        {
            throw new CryptographicException("The stored secret has an unknown format.");
        }

        var plaintext = new byte[sealedSecret.Length - 1 - NonceBytes - TagBytes];
        using var aes = new AesGcm(_key, TagBytes);
        aes.Decrypt(sealedSecret.Slice(1, NonceBytes), sealedSecret[(1 + NonceBytes + TagBytes)..], sealedSecret.Slice(1 + NonceBytes, TagBytes), plaintext, associatedData);
        return plaintext;
    }

    public byte[] SealText(string plaintext, string associatedData) => Seal(Encoding.UTF8.GetBytes(plaintext), Encoding.UTF8.GetBytes(associatedData));

    public string OpenText(byte[] sealedSecret, string associatedData) => Encoding.UTF8.GetString(Open(sealedSecret, Encoding.UTF8.GetBytes(associatedData)));
}
