using System.Text.Json;
using Dapper;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;

namespace StreamFlow.Core.Scoring.ColdStart;

internal sealed record StoredPool(string Industry, int Businesses, int Won, int Decided, string Features, double? ValidationAuc, DateTime BuiltAt, double? HotThreshold, double? WarmThreshold);

/// <summary>The industries' pools (scoring_industry_pools, a platform table: counts only).</summary>
internal static class IndustryPoolStore
{
    private const string ReadSql = """
        SELECT industry AS Industry, businesses AS Businesses, won AS Won, decided AS Decided, features::text AS Features,
               validation_auc AS ValidationAuc, built_at AS BuiltAt, hot_threshold AS HotThreshold, warm_threshold AS WarmThreshold
        FROM scoring_industry_pools WHERE industry = @Industry
        """;

    private const string SaveSql = """
        INSERT INTO scoring_industry_pools (industry, businesses, won, decided, features, validation_auc, built_at, hot_threshold, warm_threshold)
        VALUES (@Industry, @Businesses, @Won, @Decided, @Features::jsonb, @ValidationAuc, @BuiltAt, @HotThreshold, @WarmThreshold)
        ON CONFLICT (industry) DO UPDATE SET businesses = EXCLUDED.businesses, won = EXCLUDED.won, decided = EXCLUDED.decided,
            features = EXCLUDED.features, validation_auc = EXCLUDED.validation_auc, built_at = EXCLUDED.built_at,
            hot_threshold = EXCLUDED.hot_threshold, warm_threshold = EXCLUDED.warm_threshold
        """;

    private const string RemoveSql = "DELETE FROM scoring_industry_pools WHERE industry = @Industry";

    public static async Task<IndustryPool?> ReadAsync(DbTransactionScope scope, string industry)
    {
        var row = await scope.Connection.QuerySingleOrDefaultAsync<StoredPool>(scope.Command(ReadSql, new { Industry = industry }));
        return row is null
            ? null
            : new IndustryPool(
                row.Industry, row.Businesses, row.Won, row.Decided,
                JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, BucketTally>>>(row.Features, StreamFlowJson.Options)!
                    .ToDictionary(f => f.Key, f => (IReadOnlyDictionary<string, BucketTally>)f.Value, StringComparer.Ordinal),
                row.ValidationAuc ?? double.NaN,
                new DateTimeOffset(DateTime.SpecifyKind(row.BuiltAt, DateTimeKind.Utc)),
                row is { HotThreshold: { } hot, WarmThreshold: { } warm } ? new TierThresholds(hot, warm) : null);
    }

    public static Task SaveAsync(DbTransactionScope scope, IndustryPool pool) =>
        scope.Connection.ExecuteAsync(scope.Command(SaveSql, new
        {
            pool.Industry,
            pool.Businesses,
            pool.Won,
            pool.Decided,
            Features = JsonSerializer.Serialize(pool.Features, StreamFlowJson.Options),
            ValidationAuc = double.IsNaN(pool.ValidationAuc) ? (double?)null : pool.ValidationAuc,
            pool.BuiltAt,
            HotThreshold = pool.Thresholds?.Hot,
            WarmThreshold = pool.Thresholds?.Warm,
        }));

    public static Task RemoveAsync(DbTransactionScope scope, string industry) =>
        scope.Connection.ExecuteAsync(scope.Command(RemoveSql, new { Industry = industry }));
}
