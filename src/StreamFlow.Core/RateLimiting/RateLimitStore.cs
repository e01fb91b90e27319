using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.RateLimiting;

internal sealed record SharedCount(string Key, long WindowMinute, long Count);

internal static class RateLimitStore
{
    // One round trip for every key a host used: add its admitted requests, read everyone's total, prune old windows.
    private const string AddAndReadSql = """
        DELETE FROM api_rate_windows WHERE window_minute < @OldestMinute;
        INSERT INTO api_rate_windows AS w (key, window_minute, count)
        SELECT key, minute, delta FROM unnest(@Keys::text[], @Minutes::bigint[], @Deltas::bigint[]) AS u(key, minute, delta)
        ON CONFLICT (key, window_minute) DO UPDATE SET count = w.count + EXCLUDED.count
        RETURNING key AS Key, window_minute AS WindowMinute, count AS Count;
        """;

    public static async Task<IReadOnlyList<SharedCount>> AddAndReadAsync(
        DbTransactionScope scope, string[] keys, long[] minutes, long[] deltas, long oldestMinute) =>
        (await scope.Connection.QueryAsync<SharedCount>(scope.Command(AddAndReadSql, new { Keys = keys, Minutes = minutes, Deltas = deltas, OldestMinute = oldestMinute }))).ToList();
}
