using System.Collections.Concurrent;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.RateLimiting;

/// <summary>
/// Per-tenant and per-caller request limits (fixed one-minute windows, UTC minutes). Limits come from the tenant row,
/// so the provider changes them without a deployment. Counts are shared through PostgreSQL (<c>api_rate_windows</c>)
/// without a round trip per request: each instance admits against the last shared total plus what it admitted since,
/// and <see cref="SyncAsync"/> (about once a second, <see cref="ApiRateLimitSync"/>) adds its part and reads the total.
/// With N instances a caller can exceed a limit by at most what the other instances admitted in the last sync interval.
/// </summary>
public sealed class ApiRateLimiter(StreamFlowDatabase database, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, Window> _windows = new();

    /// <summary>Null when the request may go ahead, else a 429 problem with Retry-After.</summary>
    public Problem? TryAcquire(params (string Key, int Limit)[] partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var now = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var minute = now / 60;
        foreach (var (key, limit) in partitions)
        {
            var window = _windows.GetOrAdd(key, _ => new Window());
            lock (window)
            {
                window.MoveTo(minute);
                if (window.Shared + window.Unsynced >= limit)
                {
                    return new Problem(ProblemKind.RateLimited, $"Rate limit of {limit} requests per minute reached.", RetryAfter: TimeSpan.FromSeconds(60 - (now % 60)));
                }

                window.Unsynced++;
            }
        }

        return null;
    }

    /// <summary>Adds what this instance admitted to the shared counts and reads every instance's totals, in one round trip.</summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        var minute = timeProvider.GetUtcNow().ToUnixTimeSeconds() / 60;
        var taken = new List<(string Key, Window Window, long Minute, long Delta)>();
        foreach (var (key, window) in _windows)
        {
            lock (window)
            {
                if (window.Minute < minute - 1)
                {
                    _windows.TryRemove(KeyValuePair.Create(key, window));
                    continue;
                }

                if (window.Minute == minute || window.Unsynced > 0)
                {
                    taken.Add((key, window, window.Minute, window.Unsynced));
                    window.Shared += window.Unsynced;
                    window.Unsynced = 0;
                }
            }
        }

        if (taken.Count == 0)
        {
            return;
        }

        IReadOnlyList<SharedCount> totals;
        try
        {
            totals = await database.InPlatformAsync(scope => RateLimitStore.AddAndReadAsync(
                scope, taken.Select(t => t.Key).ToArray(), taken.Select(t => t.Minute).ToArray(), taken.Select(t => t.Delta).ToArray(), minute - 2), cancellationToken);
        }
        catch
        {
            // Not shared this time: the counts go back so that the next sync adds them.
            foreach (var (_, window, windowMinute, delta) in taken)
            {
                lock (window)
                {
                    if (window.Minute == windowMinute)
                    {
                        window.Shared -= delta;
                        window.Unsynced += delta;
                    }
                }
            }

            throw;
        }

        var byKey = totals.ToDictionary(t => (t.Key, t.WindowMinute), t => t.Count);
        foreach (var (key, window, windowMinute, _) in taken)
        {
            lock (window)
            {
                if (window.Minute == windowMinute && byKey.TryGetValue((key, windowMinute), out var total))
                {
                    window.Shared = Math.Max(window.Shared, total);
                }
            }
        }
    }

    private sealed class Window
    {
        public long Minute { get; private set; }

        /// <summary>Every instance's count at the last sync, plus this instance's since then once handed to a sync.</summary>
        public long Shared { get; set; }

        public long Unsynced { get; set; }

        public void MoveTo(long minute)
        {
            if (Minute != minute)
            {
                (Minute, Shared, Unsynced) = (minute, 0, 0);
            }
        }
    }
}
