using Microsoft.Extensions.Options;
using StreamFlow.Core.Ai;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Reports;

/// <summary>
/// AI spend of a report period from the gateway's usage ledger (billed amounts, what the tenant pays), against the
/// tenant's limit for such a period: the monthly limit for a month, the daily limit times the days otherwise.
/// Runs in the report's own tenant transaction, so row-level security holds.
/// </summary>
internal sealed class LedgerAiSpendReader(IOptions<AiOptions> options) : IAiSpendReader
{
    public async Task<AiSpend> ReadAsync(DbTransactionScope scope, Guid tenantId, ReportPeriod period, CancellationToken cancellationToken)
    {
        var spent = await AiUsageStore.BilledBetweenAsync(scope, period.StartUtc, period.EndUtc);
        var limits = await AiUsageStore.TenantLimitsAsync(scope);
        var budget = options.Value.Budget;
        var daily = limits?.Daily ?? budget.DefaultTenantDailyLimitUsd;
        var monthly = limits?.Monthly ?? budget.DefaultTenantMonthlyLimitUsd;
        var days = period.End.DayNumber - period.Start.DayNumber;
        decimal? limit = period.Kind == ReportPeriodKind.Month ? monthly : daily * days;
        return new AiSpend(true, Money.Of(spent, "USD"), limit is { } value ? Money.Of(value, "USD") : null, null);
    }
}
