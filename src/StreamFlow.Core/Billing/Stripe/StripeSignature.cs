using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace StreamFlow.Core.Billing.Stripe;

/// <summary>
/// Verifies the <c>Stripe-Signature</c> header as Stripe documents it: <c>t=&lt;unix seconds&gt;,v1=&lt;hex&gt;[,v1=...]</c>,
/// where v1 is HMAC-SHA256 with the endpoint's secret over <c>"{t}.{raw body}"</c>. Any one v1 may match (several are
/// sent while a secret is being rolled); the timestamp must be within the tolerance of now (replay protection).
/// </summary>
internal static class StripeSignature
{
    public const string Header = "Stripe-Signature";

    public static StripeSignatureCheck Verify(ReadOnlySpan<byte> payload, string? header, string secret, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return StripeSignatureCheck.Missing;
        }

        long? timestamp = null;
        var signatures = new List<byte[]>();
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = part.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                continue;
            }

            var (key, value) = (part[..separator], part[(separator + 1)..]);
            if (key == "t" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                timestamp = seconds;
            }
            else if (key == "v1" && value.Length == 64 && TryHex(value, out var signature))
            {
                signatures.Add(signature);
            }
        }

        if (timestamp is null || signatures.Count == 0)
        {
            return StripeSignatureCheck.Malformed;
        }

        var expected = Compute(payload, timestamp.Value, secret);
        var matched = false;
        foreach (var signature in signatures)
        {
            // Compare all of them, constant time each: no early exit that times which one matched.
            matched |= CryptographicOperations.FixedTimeEquals(signature, expected);
        }

        if (!matched)
        {
            return StripeSignatureCheck.Mismatch;
        }

        var age = now - DateTimeOffset.FromUnixTimeSeconds(timestamp.Value);
        return age.Duration() > tolerance ? StripeSignatureCheck.Expired : StripeSignatureCheck.Valid;
    }

    public static byte[] Compute(ReadOnlySpan<byte> payload, long timestamp, string secret)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + payload.Length];
        prefix.CopyTo(signed, 0);
        payload.CopyTo(signed.AsSpan(prefix.Length));
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
    }

    private static bool TryHex(string value, out byte[] bytes)
    {
        try
        {
            bytes = Convert.FromHexString(value);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}

internal enum StripeSignatureCheck
{
    Valid,
    Missing,
    Malformed,
    Mismatch,
    Expired,
}
