using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Ai;

/// <summary>The SQL of the usage ledger. Tenants read their own rows through RLS; the provider reads sums only, through <c>ai_usage_totals</c>.</summary>
internal static class AiUsageStore
{
    // What the tenant was billed for AI in [from, to), and its own limits (NULL: the configured defaults apply).
    private const string BilledBetweenSql = """
        SELECT coalesce(sum(billable_usd), 0) FROM ai_usage WHERE occurred_at >= @From AND occurred_at < @To
        """;

    private const string TenantLimitsSql = "SELECT daily_limit_usd AS Daily, monthly_limit_usd AS Monthly FROM ai_tenant_settings";

    // Parameter names carry a prefix so that the statement can share a batch (and its parameters) with the settlement.
    internal const string InsertSql = """
        INSERT INTO ai_usage (id, tenant_id, user_id, feature, model, deployment, input_tokens, cached_input_tokens, output_tokens,
                              cost_usd, markup_rate, billable_usd, cache_hit, streamed, latency_ms, outcome, occurred_at)
        VALUES (@UsageId, @UsageTenantId, @UsageUserId, @UsageFeature, @UsageModel, @UsageDeployment, @UsageInputTokens,
                @UsageCachedInputTokens, @UsageOutputTokens, @UsageCostUsd, @UsageMarkupRate, @UsageBillableUsd, @UsageCacheHit,
                @UsageStreamed, @UsageLatencyMs, @UsageOutcome, @UsageOccurredAt)
        """;

    // The ledger row of a cache hit, inside a statement whose CTEs "hit" (the answer found, or nothing) and "settings"
    // (the tenant's markup) it reads.
    internal const string InsertCacheHitSql = """
        INSERT INTO ai_usage (id, tenant_id, user_id, feature, model, deployment, input_tokens, cached_input_tokens, output_tokens,
                              cost_usd, markup_rate, billable_usd, cache_hit, streamed, latency_ms, outcome, occurred_at)
        SELECT @UsageId, @UsageTenantId, @UsageUserId, @UsageFeature, hit.model, hit.deployment, 0, 0, 0,
               0, settings.markup_rate, 0, true, @UsageStreamed, @UsageLatencyMs, 'cached', @UsageOccurredAt
        FROM hit CROSS JOIN settings
        """;

    private const string TenantUsageSql = """
        SELECT (occurred_at AT TIME ZONE 'UTC')::date AS Day, feature AS Feature, model AS Model,
               count(*) AS Calls,
               count(*) FILTER (WHERE outcome = 'succeeded') AS Succeeded,
               count(*) FILTER (WHERE outcome = 'cached') AS Cached,
               count(*) FILTER (WHERE outcome = 'refused_budget') AS Refused,
               count(*) FILTER (WHERE outcome IN ('failed', 'cancelled')) AS Failed,
               sum(input_tokens)::bigint AS InputTokens,
               sum(cached_input_tokens)::bigint AS CachedInputTokens,
               sum(output_tokens)::bigint AS OutputTokens,
               sum(billable_usd) AS BillableUsd
        FROM ai_usage
        WHERE tenant_id = @TenantId AND occurred_at >= @FromTime AND occurred_at < @ToTime
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        """;

    private const string ProviderUsageSql = """
        SELECT tenant_id AS TenantId, day AS Day, feature AS Feature, model AS Model, calls AS Calls, succeeded AS Succeeded,
               cached AS Cached, refused AS Refused, failed AS Failed, input_tokens AS InputTokens,
               cached_input_tokens AS CachedInputTokens, output_tokens AS OutputTokens, cost_usd AS CostUsd, billable_usd AS BillableUsd
        FROM ai_usage_totals(@FromTime, @ToTime)
        """;

    // A row that costs nothing (refusal) commits without waiting for the disk: a server crash could lose a count,
    // never money. Rows with a cost are written with their settlement, durably.
    private const string InsertFreeSql = "SELECT set_config('synchronous_commit', 'off', true);\n" + InsertSql;

    /// <summary>Writes a ledger row for a call that cost nothing, in a round trip (and transaction) that writes nothing else.</summary>
    public static Task InsertFreeAsync(StreamFlowDatabase database, AiUsageEntry entry, CancellationToken cancellationToken)
    {
        if (entry.CostUsd != 0m || entry.BillableUsd != 0m)
        {
            throw new ArgumentException("Only calls that cost nothing are written without a durable commit.", nameof(entry));
        }

        return database.InTenantBatchAsync(entry.TenantId, InsertFreeSql, Parameters(entry, "Usage"), async results =>
        {
            await results.ReadAsync<string>();
            return true;
        }, cancellationToken);
    }

    internal static DynamicParameters Parameters(AiUsageEntry entry, string prefix)
    {
        var parameters = new DynamicParameters();
        parameters.Add(prefix + "Id", entry.Id);
        parameters.Add(prefix + "TenantId", entry.TenantId);
        parameters.Add(prefix + "UserId", entry.UserId);
        parameters.Add(prefix + "Feature", entry.Feature);
        parameters.Add(prefix + "Model", entry.Model);
        parameters.Add(prefix + "Deployment", entry.Deployment);
        parameters.Add(prefix + "InputTokens", entry.Usage.InputTokens);
        parameters.Add(prefix + "CachedInputTokens", entry.Usage.CachedInputTokens);
        parameters.Add(prefix + "OutputTokens", entry.Usage.OutputTokens);
        parameters.Add(prefix + "CostUsd", entry.CostUsd);
        parameters.Add(prefix + "MarkupRate", entry.MarkupRate);
        parameters.Add(prefix + "BillableUsd", entry.BillableUsd);
        parameters.Add(prefix + "CacheHit", entry.CacheHit);
        parameters.Add(prefix + "Streamed", entry.Streamed);
        parameters.Add(prefix + "LatencyMs", entry.LatencyMs);
        parameters.Add(prefix + "Outcome", OutcomeName(entry.Outcome));
        parameters.Add(prefix + "OccurredAt", entry.OccurredAt);
        return parameters;
    }

    public static async Task<IReadOnlyList<AiTenantUsageRow>> TenantUsageAsync(
        DbTransactionScope scope, Guid tenantId, DateTimeOffset fromTime, DateTimeOffset toTime) =>
        (await scope.Connection.QueryAsync<TenantRow>(scope.Command(TenantUsageSql, new { TenantId = tenantId, FromTime = fromTime, ToTime = toTime })))
            .Select(row => new AiTenantUsageRow(row.Day, row.Feature, row.Model, row.Calls, row.Succeeded, row.Cached,
                row.Refused, row.Failed, row.InputTokens, row.CachedInputTokens, row.OutputTokens, row.BillableUsd))
            .ToList();

    public static async Task<IReadOnlyList<AiProviderUsageRow>> ProviderUsageAsync(DbTransactionScope scope, DateTimeOffset fromTime, DateTimeOffset toTime) =>
        (await scope.Connection.QueryAsync<ProviderRow>(scope.Command(ProviderUsageSql, new { FromTime = fromTime, ToTime = toTime })))
            .Select(row => new AiProviderUsageRow(row.TenantId, row.Day, row.Feature, row.Model, row.Calls, row.Succeeded,
                row.Cached, row.Refused, row.Failed, row.InputTokens, row.CachedInputTokens, row.OutputTokens, row.CostUsd, row.BillableUsd))
            .ToList();

    internal static string OutcomeName(AiCallOutcome outcome) => outcome switch
    {
        AiCallOutcome.Succeeded => "succeeded",
        AiCallOutcome.Failed => "failed",
        AiCallOutcome.RefusedBudget => "refused_budget",
        AiCallOutcome.Cached => "cached",
        AiCallOutcome.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    private sealed record TenantRow(DateOnly Day, string Feature, string Model, long Calls, long Succeeded, long Cached, long Refused,
        long Failed, long InputTokens, long CachedInputTokens, long OutputTokens, decimal BillableUsd);

    private sealed record ProviderRow(Guid TenantId, DateOnly Day, string Feature, string Model, long Calls, long Succeeded, long Cached,
        long Refused, long Failed, long InputTokens, long CachedInputTokens, long OutputTokens, decimal CostUsd, decimal BillableUsd);

    public static Task<decimal> BilledBetweenAsync(DbTransactionScope scope, DateTimeOffset from, DateTimeOffset to) =>
        scope.Connection.ExecuteScalarAsync<decimal>(scope.Command(BilledBetweenSql, new { From = from, To = to }));

    public static Task<AiTenantLimits?> TenantLimitsAsync(DbTransactionScope scope) =>
        scope.Connection.QuerySingleOrDefaultAsync<AiTenantLimits>(scope.Command(TenantLimitsSql));
}

/// <summary>A tenant's own AI limits in USD (NULL: the configured default applies).</summary>
internal sealed record AiTenantLimits
{
    public decimal? Daily { get; init; }

    public decimal? Monthly { get; init; }
}
