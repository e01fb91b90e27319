using Dapper;
using StreamFlow.Core.Billing.Calculation;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Billing.Metering;

/// <summary>How a metric's events add up over a period.</summary>
public enum ChargeModel
{
    /// <summary>Number of events (seat-days, leads).</summary>
    Count,

    /// <summary>Sum of quantities (AI billable USD).</summary>
    Sum,

    /// <summary>Largest quantity (storage bytes).</summary>
    Max,

    /// <summary>Number of distinct unique values (distinct users with a seat).</summary>
    Unique,
}

/// <summary>The metered metrics and their default charge models.</summary>
public static class UsageMetrics
{
    public const string Seats = "seats";
    public const string LeadsCreated = "leads_created";
    public const string LeadsScored = "leads_scored";
    public const string AiBillableUsd = "ai_billable_usd";
    public const string StorageBytes = "storage_bytes";

    public static ChargeModel DefaultModel(string metric) => metric switch
    {
        AiBillableUsd => ChargeModel.Sum,
        StorageBytes => ChargeModel.Max,
        _ => ChargeModel.Count,
    };
}

/// <summary>
/// Records usage events and adds them up. An event's idempotency key makes recording it repeatable: the same key is
/// counted once, however often it is recorded (ON CONFLICT DO NOTHING on the table's primary key).
/// </summary>
public sealed class UsageMeter(StreamFlowDatabase database, TimeProvider timeProvider)
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

    /// <summary>Records one event; false when an event with this key was already recorded (nothing changes then).</summary>
    public Task<bool> RecordAsync(Guid tenantId, UsageEvent usage, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, scope => RecordAsync(scope, tenantId, usage), cancellationToken);

    /// <summary>Records one event in the caller's tenant transaction (with the change that caused it).</summary>
    public async Task<bool> RecordAsync(DbTransactionScope scope, Guid tenantId, UsageEvent usage)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(usage);
        return await scope.Connection.ExecuteAsync(scope.Command(InsertSql, new
        {
            TenantId = tenantId,
            usage.Key,
            usage.Metric,
            usage.Quantity,
            usage.UniqueValue,
            usage.OccurredAt,
            RecordedAt = timeProvider.GetUtcNow(),
        })) == 1;
    }

    /// <summary>A metric over [from, to) (UTC days) with a charge model (the metric's default when null).</summary>
    public Task<decimal> AggregateAsync(Guid tenantId, string metric, DateOnly from, DateOnly to, ChargeModel? model, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, scope => scope.Connection.ExecuteScalarAsync<decimal>(scope.Command(AggregateSql, new
        {
            Model = (model ?? UsageMetrics.DefaultModel(metric)).ToString().ToLowerInvariant(),
            Metric = metric,
            From = StartOf(from),
            To = StartOf(to),
        })), cancellationToken);

    /// <summary>The billed metrics per UTC day of [from, to), read in the caller's tenant transaction; days without events are absent.</summary>
    internal static async Task<IReadOnlyList<DailyUsage>> DailyAsync(DbTransactionScope scope, DateOnly from, DateOnly to) =>
        (await scope.Connection.QueryAsync<DailyUsage>(scope.Command(DailySql, new { From = StartOf(from), To = StartOf(to) }))).AsList();

    internal static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}

/// <summary>
/// One usage event. <paramref name="Key"/> identifies it (a repeat with the same key is ignored);
/// <paramref name="UniqueValue"/> is what the unique charge model counts distinct values of.
/// </summary>
public sealed record UsageEvent(string Key, string Metric, decimal Quantity, string? UniqueValue, DateTimeOffset OccurredAt);
