using System.Collections.Concurrent;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Scoring.ColdStart;

/// <summary>
/// The pools scoring reads, cached per industry for a few minutes: a pool changes once a night, and scoring runs in
/// every lead's write transaction.
/// </summary>
public sealed class IndustryPools(TimeProvider timeProvider)
{
    private static readonly TimeSpan Freshness = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, (IndustryPool? Pool, DateTimeOffset ReadAt)> _cache = new(StringComparer.Ordinal);

    internal async Task<IndustryPool?> ForAsync(DbTransactionScope scope, string industry)
    {
        var now = timeProvider.GetUtcNow();
        if (_cache.TryGetValue(industry, out var cached) && now - cached.ReadAt < Freshness)
        {
            return cached.Pool;
        }

        var pool = await IndustryPoolStore.ReadAsync(scope, industry);
        _cache[industry] = (pool, now);
        return pool;
    }

    /// <summary>Forgets what was read, so the next score reads the pool just built (this host's builder calls it).</summary>
    public void Forget() => _cache.Clear();
}
