using System.ClientModel;
using System.Globalization;
using Polly.CircuitBreaker;

namespace StreamFlow.Core.Ai;

/// <summary>An attempt that did not answer within <see cref="AiResilienceOptions.AttemptTimeout"/>.</summary>
internal sealed class AiUpstreamTimeoutException(string deployment)
    : TimeoutException($"AI deployment '{deployment}' did not answer in time.");

/// <summary>How the gateway reads upstream failures: which are worth a retry, and how long the upstream asked to wait.</summary>
internal static class AiUpstreamErrors
{
    /// <summary>408, 429, 5xx, network failures and timeouts: the same request may succeed later.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        ClientResultException result => result.Status is 0 or 408 or 429 or >= 500,
        AiUpstreamTimeoutException => true,
        HttpRequestException => true,
        IOException => true,
        _ => false,
    };

    public static bool IsCircuitOpen(Exception exception) => exception is BrokenCircuitException;

    public static int? Status(Exception exception) => exception is ClientResultException { Status: > 0 } result ? result.Status : null;

    /// <summary>The wait the upstream asked for: <c>retry-after-ms</c> (Azure), else <c>Retry-After</c> in seconds or as an HTTP date.</summary>
    public static TimeSpan? RetryAfter(Exception exception, DateTimeOffset now)
    {
        if (exception is not ClientResultException result || result.GetRawResponse() is not { } response)
        {
            return null;
        }

        return ParseRetryAfter(
            response.Headers.TryGetValue("retry-after-ms", out var milliseconds) ? milliseconds : null,
            response.Headers.TryGetValue("Retry-After", out var retryAfter) ? retryAfter : null,
            now);
    }

    internal static TimeSpan? ParseRetryAfter(string? retryAfterMilliseconds, string? retryAfter, DateTimeOffset now)
    {
        if (double.TryParse(retryAfterMilliseconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms >= 0)
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        if (string.IsNullOrWhiteSpace(retryAfter))
        {
            return null;
        }

        if (double.TryParse(retryAfter, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return DateTimeOffset.TryParse(retryAfter, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? (at > now ? at - now : TimeSpan.Zero)
            : null;
    }
}
