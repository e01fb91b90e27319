using Dapper;
using StreamFlow.Core.Billing.Calculation;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Billing.Metering;

/// <summary>
/// The SQL of usage events. Every insert is ON CONFLICT DO NOTHING on (tenant, idempotency key), so recording or
/// collecting again never counts twice. Runs in the caller's tenant transaction.
/// </summary>
internal static class UsageEventStore
{
    private const string InsertSql = """
        INSERT INTO billing_usage_events (tenant_id, idempotency_key, metric, quantity, unique_value, occurred_at, recorded_at)
        VALUES (@TenantId, @Key, @Metric, @Quantity, @UniqueValue, @OccurredAt, @RecordedAt)
        ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
        """;

    private const string AggregateSql = """
        SELECT CASE @Model
                   WHEN 'count' THEN count(*)::numeric
                   WHEN 'sum' THEN coalesce(sum(quantity), 0)
                   WHEN 'max' THEN coalesce(max(quantity), 0)
                   ELSE count(DISTINCT unique_value)::numeric
               END
        FROM billing_usage_events
        WHERE metric = @Metric AND occurred_at >= @From AND occurred_at < @To
        """;

    private const string DailySql = """
        SELECT (occurred_at AT TIME ZONE 'UTC')::date AS Day,
               count(*) FILTER (WHERE metric = 'seats')::numeric AS Seats,
               count(*) FILTER (WHERE metric = 'leads_created')::numeric AS LeadsCreated,
               coalesce(sum(quantity) FILTER (WHERE metric = 'ai_billable_usd'), 0) AS AiBillableUsd
        FROM billing_usage_events
        WHERE occurred_at >= @From AND occurred_at < @To AND metric IN ('seats', 'leads_created', 'ai_billable_usd')
        GROUP BY 1
        ORDER BY 1
        """;

    // A user holds a seat on a day when they are active and existed by the day's end (their status as collected).
    private const string SeatsSql = """
        INSERT INTO billing_usage_events (tenant_id, idempotency_key, metric, quantity, unique_value, occurred_at, recorded_at)
        SELECT u.tenant_id, 'seat:' || to_char(d, 'YYYY-MM-DD') || ':' || u.id, 'seats', 1, u.id::text, d AT TIME ZONE 'UTC', @Now
        FROM generate_series(@From::timestamp, @To::timestamp - interval '1 day', interval '1 day') AS d
        JOIN users u ON u.status = 'active' AND u.created_at < (d + interval '1 day') AT TIME ZONE 'UTC'
        ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
        """;

    private const string LeadsCreatedSql = """
        INSERT INTO billing_usage_events (tenant_id, idempotency_key, metric, quantity, unique_value, occurred_at, recorded_at)
        SELECT tenant_id, 'lead.created:' || id, 'leads_created', 1, id::text, created_at, @Now
        FROM leads WHERE created_at >= @FromTime AND created_at < @ToTime
        ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
        """;

    private const string LeadsScoredSql = """
        INSERT INTO billing_usage_events (tenant_id, idempotency_key, metric, quantity, unique_value, occurred_at, recorded_at)
        SELECT tenant_id, 'lead.scored:' || id, 'leads_scored', 1, id::text, scored_at, @Now
        FROM leads WHERE scored_at >= @FromTime AND scored_at < @ToTime
        ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
        """;

    private const string AiSql = """
        INSERT INTO billing_usage_events (tenant_id, idempotency_key, metric, quantity, unique_value, occurred_at, recorded_at)
        SELECT tenant_id, 'ai:' || to_char(day, 'YYYY-MM-DD'), 'ai_billable_usd', sum(billable_usd), NULL, day AT TIME ZONE 'UTC', @Now
        FROM (SELECT tenant_id, date_trunc('day', occurred_at AT TIME ZONE 'UTC') AS day, billable_usd
              FROM ai_usage WHERE occurred_at >= @FromTime AND occurred_at < @ToTime) AS calls
        GROUP BY tenant_id, day
        ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
        """;

    private const string StorageSql = """
        INSERT INTO billing_usage_events (tenant_id, idempotency_key, metric, quantity, unique_value, occurred_at, recorded_at)
        SELECT @TenantId, 'storage:' || to_char(d, 'YYYY-MM-DD'), 'storage_bytes', @Bytes, NULL, d AT TIME ZONE 'UTC', @Now
        FROM generate_series(@From::timestamp, @To::timestamp - interval '1 day', interval '1 day') AS d
        ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
        """;

    /// <summary>Records one event; false when its key was already recorded.</summary>
    public static async Task<bool> InsertAsync(DbTransactionScope scope, Guid tenantId, UsageEvent usage, DateTimeOffset recordedAt) =>
        await scope.Connection.ExecuteAsync(scope.Command(InsertSql, new
        {
            TenantId = tenantId,
            usage.Key,
            usage.Metric,
            usage.Quantity,
            usage.UniqueValue,
            usage.OccurredAt,
            RecordedAt = recordedAt,
        })) == 1;

    /// <summary>Derives the events of the UTC days [from, to) from the systems of record; returns how many were new.</summary>
    public static async Task<int> CollectAsync(DbTransactionScope scope, Guid tenantId, DateOnly from, DateOnly to, DateTimeOffset now, long storedBytes)
    {
        var range = new { TenantId = tenantId, From = from, To = to, FromTime = UsageMeter.StartOf(from), ToTime = UsageMeter.StartOf(to), Now = now, Bytes = storedBytes };
        var count = 0;
        foreach (var sql in new[] { SeatsSql, LeadsCreatedSql, LeadsScoredSql, AiSql, StorageSql })
        {
            count += await scope.Connection.ExecuteAsync(scope.Command(sql, range));
        }

        return count;
    }

    /// <summary>A metric over [from, to) with a charge model (count, sum, max or unique).</summary>
    public static Task<decimal> AggregateAsync(DbTransactionScope scope, string metric, string model, DateTimeOffset from, DateTimeOffset to) =>
        scope.Connection.ExecuteScalarAsync<decimal>(scope.Command(AggregateSql, new { Model = model, Metric = metric, From = from, To = to }));

    public static async Task<IReadOnlyList<DailyUsage>> DailyAsync(DbTransactionScope scope, DateTimeOffset from, DateTimeOffset to) =>
        (await scope.Connection.QueryAsync<DailyUsage>(scope.Command(DailySql, new { From = from, To = to }))).AsList();
}
