using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace StreamFlow.Core.Webhooks;

/// <summary>
/// Standard Webhooks v1 signatures: <c>v1,</c> + base64 of HMAC-SHA256 over <c>{id}.{timestamp}.{body}</c>, keyed with
/// the base64-decoded part of a <c>whsec_</c> secret.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";
    public const string VersionPrefix = "v1,";
    public const int GeneratedSecretBytes = 32;
    public const string IdHeaderName = "webhook-id";
    public const string TimestampHeaderName = "webhook-timestamp";
    public const string SignatureHeaderName = "webhook-signature";

    /// <summary>A new secret: <c>whsec_</c> + base64 of 32 random bytes.</summary>
    public static string GenerateSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(GeneratedSecretBytes));

    /// <summary>The HMAC key of a secret, with or without its <c>whsec_</c> prefix; null when it is not base64.</summary>
    public static byte[]? TryDecodeSecret(string? secret)
    {
        if (string.IsNullOrWhiteSpace(secret))
        {
            return null;
        }

        var encoded = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        try
        {
            var key = Convert.FromBase64String(encoded);
            return key.Length == 0 ? null : key;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The raw 32-byte HMAC of <c>{id}.{timestamp}.{body}</c>.</summary>
    public static byte[] ComputeHash(ReadOnlySpan<byte> key, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = string.Create(CultureInfo.InvariantCulture, $"{messageId}.{timestamp}.");
        var prefixLength = Encoding.UTF8.GetByteCount(prefix);
        var buffer = ArrayPool<byte>.Shared.Rent(prefixLength + body.Length);
        try
        {
            Encoding.UTF8.GetBytes(prefix, buffer);
            body.CopyTo(buffer.AsSpan(prefixLength));
            return HMACSHA256.HashData(key, buffer.AsSpan(0, prefixLength + body.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>One <c>v1,&lt;base64&gt;</c> signature.</summary>
    public static string Sign(ReadOnlySpan<byte> key, string messageId, long timestamp, ReadOnlySpan<byte> body) =>
        VersionPrefix + Convert.ToBase64String(ComputeHash(key, messageId, timestamp, body));

    /// <summary>The <c>webhook-signature</c> header value: one signature per key, space-separated (rotation sends two).</summary>
    public static string SignatureHeader(IEnumerable<byte[]> keys, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        var builder = new StringBuilder();
        foreach (var key in keys)
        {
            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(Sign(key, messageId, timestamp, body));
        }

        return builder.ToString();
    }
}
