using System.Buffers.Text;
using System.Security.Cryptography;

namespace StreamFlow.Core.Identity.Clients;

/// <summary>
/// Opaque client tokens: <c>sf_</c> + base64url(tenant id + 256 random bits). The tenant id is not secret; it lets
/// the lookup run inside that tenant's row-level security. Only the SHA-256 of the whole token is stored.
/// </summary>
public static class SessionToken
{
    private const string Prefix = "sf_";
    private const int RandomBytes = 32;

    public static string Create(Guid tenantId)
    {
        Span<byte> bytes = stackalloc byte[16 + RandomBytes];
        tenantId.TryWriteBytes(bytes[..16]);
        RandomNumberGenerator.Fill(bytes[16..]);
        return Prefix + Base64Url.EncodeToString(bytes);
    }

    public static bool TryReadTenant(string? token, out Guid tenantId)
    {
        tenantId = Guid.Empty;
        if (token is null || !token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 100)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[64];
        if (Base64Url.DecodeFromChars(token.AsSpan(Prefix.Length), bytes, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != 16 + RandomBytes)
        {
            return false;
        }

        tenantId = new Guid(bytes[..16]);
        return tenantId != Guid.Empty;
    }

    public static byte[] Hash(string token) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));
}
