using Dapper;
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
    private const string SpentSql = """
        SELECT coalesce(sum(billable_usd), 0) FROM ai_usage WHERE occurred_at >= @From AND occurred_at < @To
        """;

    private const string LimitsSql = "SELECT daily_limit_usd AS Daily, monthly_limit_usd AS Monthly FROM ai_tenant_settings";

    public async Task<AiSpend> ReadAsync(DbTransactionScope scope, Guid tenantId, ReportPeriod period, CancellationToken cancellationToken)
    {
        var spent = await scope.Connection.ExecuteScalarAsync<decimal>(scope.Command(SpentSql, new { From = period.StartUtc, To = period.EndUtc }));
        var limits = await scope.Connection.QuerySingleOrDefaultAsync<Limits>(scope.Command(LimitsSql));
        var budget = options.Value.Budget;
        var daily = limits?.Daily ?? budget.DefaultTenantDailyLimitUsd;
        var monthly = limits?.Monthly ?? budget.DefaultTenantMonthlyLimitUsd;
        var days = period.End.DayNumber - period.Start.DayNumber;
        decimal? limit = period.Kind == ReportPeriodKind.Month ? monthly : daily * days;
        return new AiSpend(true, Money.Of(spent, "USD"), limit is { } value ? Money.Of(value, "USD") : null, null);
    }

    private sealed record Limits
    {
        public decimal? Daily { get; init; }

        public decimal? Monthly { get; init; }
    }
}
