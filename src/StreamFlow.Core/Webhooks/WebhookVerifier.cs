using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace StreamFlow.Core.Webhooks;

/// <summary>Why a webhook request was or was not accepted.</summary>
public enum WebhookVerificationResult
{
    Verified,
    MissingHeaders,
    InvalidTimestamp,
    TimestampTooOld,
    TimestampTooNew,
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
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    private const int MaxSignatureHeaderLength = 4096;
    private const int HashBytes = 32;

    private readonly byte[][] _keys;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _tolerance;

    /// <param name="secrets">Secrets in the <c>whsec_...</c> form shown when the endpoint was created or rotated.</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    /// <param name="tolerance">How far the timestamp may be from now either way; 5 minutes when null.</param>
    public WebhookVerifier(IEnumerable<string> secrets, TimeProvider? timeProvider = null, TimeSpan? tolerance = null)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        _keys = secrets.Select(secret => WebhookSignature.TryDecodeSecret(secret)
                ?? throw new ArgumentException("A webhook secret must be 'whsec_' followed by base64.", nameof(secrets)))
            .ToArray();
        if (_keys.Length == 0)
        {
            throw new ArgumentException("At least one webhook secret is needed.", nameof(secrets));
        }

        _timeProvider = timeProvider ?? TimeProvider.System;
        _tolerance = tolerance ?? DefaultTolerance;
    }

    public WebhookVerifier(string secret, TimeProvider? timeProvider = null, TimeSpan? tolerance = null)
        : this([secret], timeProvider, tolerance)
    {
    }

    /// <summary>Verifies an ASP.NET Core request's headers against its raw body (read the body as bytes, unparsed).</summary>
    public WebhookVerificationResult Verify(IHeaderDictionary headers, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return Verify(headers[IdHeader].ToString(), headers[TimestampHeader].ToString(), headers[SignatureHeader].ToString(), body);
    }

    /// <summary>Verifies the three header values against the raw body exactly as received.</summary>
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
            expected[i] = WebhookSignature.ComputeHash(_keys[i], webhookId, timestamp, body);
        }

        var matched = false;
        foreach (var part in webhookSignature.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!part.StartsWith(WebhookSignature.VersionPrefix, StringComparison.Ordinal)
                || !Convert.TryFromBase64String(part[WebhookSignature.VersionPrefix.Length..], candidate, out var written)
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
    public WebhookVerificationResult Verify(string? webhookId, string? webhookTimestamp, string? webhookSignature, string body) =>
        Verify(webhookId, webhookTimestamp, webhookSignature, Encoding.UTF8.GetBytes(body ?? ""));
}
