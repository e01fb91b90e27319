using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Ai;

/// <summary>
/// Reads the AI usage ledger. A tenant reads its own rows (row-level security) in billed amounts; the provider
/// reads per-tenant sums across tenants through the <c>ai_usage_totals</c> SQL function, which is the only
/// cross-tenant path into the ledger and returns aggregates only.
/// </summary>
public sealed class AiUsageService
{
    private const int MaximumDays = 366;

    private readonly StreamFlowDatabase _database;

    internal AiUsageService(StreamFlowDatabase database) => _database = database;

    /// <summary>A tenant's usage per UTC day, feature and model, for the days <paramref name="from"/> to <paramref name="to"/> inclusive.</summary>
    public async Task<Result<AiTenantUsageReport>> GetTenantUsageAsync(Guid tenantId, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        if (ValidateRange(from, to) is { } invalid)
        {
            return invalid;
        }

        var rows = await _database.InTenantAsync(tenantId,
            scope => AiUsageStore.TenantUsageAsync(scope, tenantId, StartOf(from), StartOf(to.AddDays(1))), cancellationToken);
        return new AiTenantUsageReport(tenantId, from, to, rows, rows.Sum(row => row.BillableUsd));
    }

    /// <summary>Every tenant's usage per UTC day, feature and model, with cost and billable amounts; sums only.</summary>
    public async Task<Result<AiProviderUsageReport>> GetProviderUsageAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        if (ValidateRange(from, to) is { } invalid)
        {
            return invalid;
        }

        var rows = await _database.InPlatformAsync(
            scope => AiUsageStore.ProviderUsageAsync(scope, StartOf(from), StartOf(to.AddDays(1))), cancellationToken);
        return new AiProviderUsageReport(from, to, rows, rows.Sum(row => row.CostUsd), rows.Sum(row => row.BillableUsd));
    }

    private static Problem? ValidateRange(DateOnly from, DateOnly to) =>
        to < from ? Problem.Validation("to", "must not be before from.")
        : to.DayNumber - from.DayNumber >= MaximumDays ? Problem.Validation("to", $"must be less than {MaximumDays} days after from.")
        : null;

    private static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
