using System.Globalization;
using System.Security.Cryptography;
using System.Text;
namespace StreamFlow.Webhooks;

/// <summary>Why a webhook request was or was not accepted.</summary>
public enum WebhookVerificationResult
{
    /// <summary>A signature matched one of the secrets and the timestamp is within the tolerance.</summary>
    Verified,

    /// <summary>A header is missing, empty or too long.</summary>
    MissingHeaders,

    /// <summary>The timestamp is not a whole number of seconds since the Unix epoch.</summary>
    InvalidTimestamp,

    /// <summary>The timestamp is older than the tolerance allows: possibly a replay.</summary>
    TimestampTooOld,

    /// <summary>The timestamp is further in the future than the tolerance allows.</summary>
    TimestampTooNew,

    /// <summary>No signature matched any of the secrets.</summary>
    InvalidSignature,
}

/// <summary>
/// Receiver-side check of a StreamFlow (Standard Webhooks v1) request: the signature over
/// <c>{webhook-id}.{webhook-timestamp}.{raw body}</c> must match one of the receiver's secrets, and the timestamp must be
/// within <see cref="DefaultTolerance"/> of the receiver's clock. Pass every secret that is currently valid (during a
/// rotation, old and new); the header may carry several signatures and one match is enough. Comparison is constant-time.
/// </summary>
public sealed class WebhookVerifier
{
    /// <summary>The header carrying the message id, the same for every retry of one message.</summary>
    public const string IdHeader = "webhook-id";

    /// <summary>The header carrying the send time in seconds since the Unix epoch.</summary>
    public const string TimestampHeader = "webhook-timestamp";

    /// <summary>The header carrying one or more space-separated <c>v1,&lt;base64&gt;</c> signatures.</summary>
    public const string SignatureHeader = "webhook-signature";

    /// <summary>How far the timestamp may be from the receiver's clock unless told otherwise.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    private const string SecretPrefix = "whsec_";
    private const string VersionPrefix = "v1,";
    private const int MaxSignatureHeaderLength = 4096;
    private const int HashBytes = 32;

    private readonly byte[][] _keys;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _tolerance;

    /// <summary>A verifier that accepts a signature made with any of <paramref name="secrets"/>.</summary>
    /// <param name="secrets">Secrets in the <c>whsec_...</c> form shown when the endpoint was created or rotated.</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    /// <param name="tolerance">How far the timestamp may be from now either way; 5 minutes when null.</param>
    public WebhookVerifier(IEnumerable<string> secrets, TimeProvider? timeProvider = null, TimeSpan? tolerance = null)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        _keys = secrets.Select(secret => TryDecodeSecret(secret)
                ?? throw new ArgumentException("A webhook secret must be 'whsec_' followed by base64.", nameof(secrets)))
            .ToArray();
        if (_keys.Length == 0)
        {
            throw new ArgumentException("At least one webhook secret is needed.", nameof(secrets));
        }

        _timeProvider = timeProvider ?? TimeProvider.System;
        _tolerance = tolerance ?? DefaultTolerance;
    }

    /// <summary>A verifier for one secret.</summary>
    /// <param name="secret">The secret in the <c>whsec_...</c> form.</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    /// <param name="tolerance">How far the timestamp may be from now either way; 5 minutes when null.</param>
    public WebhookVerifier(string secret, TimeProvider? timeProvider = null, TimeSpan? tolerance = null)
        : this([secret], timeProvider, tolerance)
    {
    }

    /// <summary>
    /// Verifies a request whose headers are read by name, whatever the web framework: in ASP.NET Core
    /// <c>verifier.Verify(name => Request.Headers[name], body)</c>. Read the body as bytes, unparsed.
    /// </summary>
    /// <param name="header">Returns a header's value by its (lower-case) name, or null when the request has none.</param>
    /// <param name="body">The raw body exactly as received.</param>
    public WebhookVerificationResult Verify(Func<string, string?> header, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(header);
        return Verify(header(IdHeader), header(TimestampHeader), header(SignatureHeader), body);
    }

    /// <summary>Verifies the three header values against the raw body exactly as received.</summary>
    /// <param name="webhookId">The <c>webhook-id</c> header.</param>
    /// <param name="webhookTimestamp">The <c>webhook-timestamp</c> header.</param>
    /// <param name="webhookSignature">The <c>webhook-signature</c> header.</param>
    /// <param name="body">The raw body exactly as received.</param>
    public WebhookVerificationResult Verify(string? webhookId, string? webhookTimestamp, string? webhookSignature, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(webhookId) || string.IsNullOrEmpty(webhookTimestamp) || string.IsNullOrEmpty(webhookSignature)
            || webhookSignature.Length > MaxSignatureHeaderLength)
        {
            return WebhookVerificationResult.MissingHeaders;
        }

        if (!long.TryParse(webhookTimestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
        {
            return WebhookVerificationResult.InvalidTimestamp;
        }

        var now = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var toleranceSeconds = (long)_tolerance.TotalSeconds;
        if (timestamp < now - toleranceSeconds)
        {
            return WebhookVerificationResult.TimestampTooOld;
        }

        if (timestamp > now + toleranceSeconds)
        {
            return WebhookVerificationResult.TimestampTooNew;
        }

        Span<byte> candidate = stackalloc byte[HashBytes];
        var expected = new byte[_keys.Length][];
        for (var i = 0; i < _keys.Length; i++)
        {
            expected[i] = ComputeHash(_keys[i], webhookId, timestamp, body);
        }

        var matched = false;
        foreach (var part in webhookSignature.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!part.StartsWith(VersionPrefix, StringComparison.Ordinal)
                || !Convert.TryFromBase64String(part[VersionPrefix.Length..], candidate, out var written)
                || written != HashBytes)
            {
                continue;
            }

            foreach (var hash in expected)
            {
                // No early exit: the time taken does not depend on which signature or how much of it matched.
                matched |= CryptographicOperations.FixedTimeEquals(hash, candidate);
            }
        }

        return matched ? WebhookVerificationResult.Verified : WebhookVerificationResult.InvalidSignature;
    }

    /// <summary>Verifies against a body given as the exact UTF-8 text received.</summary>
    /// <param name="webhookId">The <c>webhook-id</c> header.</param>
    /// <param name="webhookTimestamp">The <c>webhook-timestamp</c> header.</param>
    /// <param name="webhookSignature">The <c>webhook-signature</c> header.</param>
    /// <param name="body">The body as received, decoded as UTF-8.</param>
    public WebhookVerificationResult Verify(string? webhookId, string? webhookTimestamp, string? webhookSignature, string body) =>
        Verify(webhookId, webhookTimestamp, webhookSignature, Encoding.UTF8.GetBytes(body ?? ""));

    // The signing scheme is repeated here rather than shared with StreamFlow's sender so that this package depends on
    // nothing of ours; the tests sign with the sender's code and verify with this.
    private static byte[]? TryDecodeSecret(string? secret)
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

    private static byte[] ComputeHash(byte[] key, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{messageId}.{timestamp}."));
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return HMACSHA256.HashData(key, message);
    }
}
