using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace StreamFlow.Core.ApiKeys;

/// <summary>
/// Integrator keys: <c>sf_live_&lt;prefix&gt;_&lt;secret&gt;</c>. The prefix (10 base32 characters) is shown in lists so
/// people can tell keys apart; the secret is base64url(tenant id + 256 random bits), the tenant id letting the lookup
/// run under that tenant's row-level security as session tokens do. Only the SHA-256 of the whole key is stored: the
/// key carries 256 random bits, so a slow password hash would add nothing but latency.
/// </summary>
public static class ApiKeyToken
{
    public const string Marker = "sf_live_";
    private const int PrefixLength = 10;
    private const int RandomBytes = 32;
    private const int SecretLength = 64;
    private const string Base32 = "abcdefghijklmnopqrstuvwxyz234567";

    public static bool LooksLikeKey(string? value) => value is not null && value.StartsWith(Marker, StringComparison.Ordinal);

    internal static (string Key, string Prefix) Create(Guid tenantId)
    {
        Span<byte> prefixBytes = stackalloc byte[PrefixLength];
        RandomNumberGenerator.Fill(prefixBytes);
        var prefix = string.Create(PrefixLength, prefixBytes.ToArray(), (chars, bytes) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = Base32[bytes[i] & 31];
            }
        });

        Span<byte> secret = stackalloc byte[16 + RandomBytes];
        tenantId.TryWriteBytes(secret[..16]);
        RandomNumberGenerator.Fill(secret[16..]);
        return ($"{Marker}{prefix}_{Base64Url.EncodeToString(secret)}", prefix);
    }

    internal static bool TryParse(string? key, out Guid tenantId, out string prefix)
    {
        tenantId = Guid.Empty;
        prefix = "";
        if (!LooksLikeKey(key) || key!.Length != Marker.Length + PrefixLength + 1 + SecretLength || key[Marker.Length + PrefixLength] != '_')
        {
            return false;
        }

        var candidate = key.AsSpan(Marker.Length, PrefixLength);
        foreach (var c in candidate)
        {
            if (!Base32.Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        Span<byte> bytes = stackalloc byte[16 + RandomBytes];
        if (Base64Url.DecodeFromChars(key.AsSpan(Marker.Length + PrefixLength + 1), bytes, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != bytes.Length)
        {
            return false;
        }

        tenantId = new Guid(bytes[..16]);
        prefix = candidate.ToString();
        return tenantId != Guid.Empty;
    }

    internal static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    internal static bool Matches(string key, byte[] storedHash) => CryptographicOperations.FixedTimeEquals(Hash(key), storedHash);
}
