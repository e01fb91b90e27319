using System.Security.Cryptography;
using NSec.Cryptography;

namespace StreamFlow.Core.Federation.Signatures;

/// <summary>A key that can sign: an HMAC shared secret or an Ed25519 private seed (32 bytes).</summary>
internal sealed record FederationSigningKey(string KeyId, string Algorithm, byte[] Material);

/// <summary>
/// A key that can verify, with the window in which it is accepted, so that during a rotation the old and the new key
/// are both valid until the old one's <paramref name="ValidUntil"/>. Material is the HMAC shared secret or the
/// Ed25519 public key (32 bytes).
/// </summary>
internal sealed record FederationVerificationKey(
    string KeyId, string Algorithm, byte[] Material, DateTimeOffset ValidFrom, DateTimeOffset? ValidUntil)
{
    public bool IsValidAt(DateTimeOffset instant) => instant >= ValidFrom && (ValidUntil is null || instant <= ValidUntil);
}

/// <summary>The two algorithms of RFC 9421 §3.3 that federation uses.</summary>
internal static class SignatureAlgorithms
{
    public const string HmacSha256 = "hmac-sha256";
    public const string Ed25519 = "ed25519";

    private const int MinimumHmacKeyBytes = 32;

    public static bool IsSupported(string algorithm) => algorithm is HmacSha256 or Ed25519;

    public static byte[] Sign(FederationSigningKey key, ReadOnlySpan<byte> data) => key.Algorithm switch
    {
        HmacSha256 => HMACSHA256.HashData(key.Material, data),
        Ed25519 => SignEd25519(key.Material, data),
        _ => throw new NotSupportedException($"Signature algorithm '{key.Algorithm}' is not supported."),
    };

    public static bool Verify(FederationVerificationKey key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) => key.Algorithm switch
    {
        HmacSha256 => CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key.Material, data), signature),
        Ed25519 => VerifyEd25519(key.Material, data, signature),
        _ => false,
    };

    /// <summary>A new shared secret for <c>hmac-sha256</c>.</summary>
    public static byte[] NewHmacSecret() => RandomNumberGenerator.GetBytes(MinimumHmacKeyBytes);

    /// <summary>A new Ed25519 key pair: the private seed and the public key, 32 bytes each.</summary>
    public static (byte[] PrivateSeed, byte[] PublicKey) NewEd25519KeyPair()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return (key.Export(KeyBlobFormat.RawPrivateKey), key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    /// <summary>The public key of an Ed25519 private seed.</summary>
    public static byte[] Ed25519PublicKeyOf(ReadOnlySpan<byte> privateSeed)
    {
        using var key = Key.Import(SignatureAlgorithm.Ed25519, privateSeed, KeyBlobFormat.RawPrivateKey);
        return key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>Whether the material fits the algorithm: a 32-byte Ed25519 key, an HMAC secret of at least 32 bytes.</summary>
    public static bool MaterialFits(string algorithm, ReadOnlySpan<byte> material) => algorithm switch
    {
        HmacSha256 => material.Length >= MinimumHmacKeyBytes,
        Ed25519 => material.Length == 32,
        _ => false,
    };

    private static byte[] SignEd25519(ReadOnlySpan<byte> privateSeed, ReadOnlySpan<byte> data)
    {
        using var key = Key.Import(SignatureAlgorithm.Ed25519, privateSeed, KeyBlobFormat.RawPrivateKey);
        return SignatureAlgorithm.Ed25519.Sign(key, data);
    }

    private static bool VerifyEd25519(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out var key) || key is null)
        {
            return false;
        }

        return SignatureAlgorithm.Ed25519.Verify(key, data, signature);
    }
}
