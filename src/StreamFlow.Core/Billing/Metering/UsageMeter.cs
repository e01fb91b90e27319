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
    /// <summary>Records one event; false when an event with this key was already recorded (nothing changes then).</summary>
    public Task<bool> RecordAsync(Guid tenantId, UsageEvent usage, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, scope => RecordAsync(scope, tenantId, usage), cancellationToken);

    /// <summary>Records one event in the caller's tenant transaction (with the change that caused it).</summary>
    public async Task<bool> RecordAsync(DbTransactionScope scope, Guid tenantId, UsageEvent usage)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(usage);
        return await UsageEventStore.InsertAsync(scope, tenantId, usage, timeProvider.GetUtcNow());
    }

    /// <summary>A metric over [from, to) (UTC days) with a charge model (the metric's default when null).</summary>
    public Task<decimal> AggregateAsync(Guid tenantId, string metric, DateOnly from, DateOnly to, ChargeModel? model, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, scope => UsageEventStore.AggregateAsync(
            scope, metric, (model ?? UsageMetrics.DefaultModel(metric)).ToString().ToLowerInvariant(), StartOf(from), StartOf(to)), cancellationToken);

    /// <summary>The billed metrics per UTC day of [from, to), read in the caller's tenant transaction; days without events are absent.</summary>
    internal static Task<IReadOnlyList<DailyUsage>> DailyAsync(DbTransactionScope scope, DateOnly from, DateOnly to) =>
        UsageEventStore.DailyAsync(scope, StartOf(from), StartOf(to));

    internal static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}

/// <summary>
/// One usage event. <paramref name="Key"/> identifies it (a repeat with the same key is ignored);
/// <paramref name="UniqueValue"/> is what the unique charge model counts distinct values of.
/// </summary>
public sealed record UsageEvent(string Key, string Metric, decimal Quantity, string? UniqueValue, DateTimeOffset OccurredAt);
