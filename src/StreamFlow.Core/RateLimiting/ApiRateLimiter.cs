using System.Threading.RateLimiting;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.RateLimiting;

/// <summary>
/// Per-tenant and per-caller request limits (fixed one-minute windows). Limits come from the tenant row, so the
/// provider changes them without a deployment. Counters live in each instance: with N instances a caller can reach
/// up to N times the limit, which bounds abuse without a shared store on the hot path.
/// </summary>
public sealed class ApiRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<(string Key, int Limit)> _limiter = PartitionedRateLimiter.Create<(string Key, int Limit), (string, int)>(
        request => RateLimitPartition.GetFixedWindowLimiter(request, key => new FixedWindowRateLimiterOptions
        {
            PermitLimit = key.Item2,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>Null when the request may go ahead, else a 429 problem with Retry-After.</summary>
    public Problem? TryAcquire(params (string Key, int Limit)[] partitions)
    {
        foreach (var partition in partitions)
        {
            using var lease = _limiter.AttemptAcquire(partition);
            if (!lease.IsAcquired)
            {
                var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                return new Problem(ProblemKind.RateLimited, $"Rate limit of {partition.Limit} requests per minute reached.", RetryAfter: retryAfter);
            }
        }

        return null;
    }

    public void Dispose() => _limiter.Dispose();
}
