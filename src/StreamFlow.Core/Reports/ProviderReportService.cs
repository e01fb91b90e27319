using System.Globalization;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.Core.Reports;

/// <summary>One client business in the provider's report: aggregates only, no lead-level data.</summary>
public sealed record TenantReportRow(
    Guid TenantId,
    string Name,
    string Status,
    string Currency,
    NewLeadsReport NewLeads,
    TierMix Tiers,
    ConversionReport Conversion,
    WonRevenueReport WonRevenue,
    int OpenLeads,
    Money OpenEstimatedValue,
    int StaleHotLeads,
    ResponseTimeReport ResponseTime,
    AiSpend AiSpend,
    string ForecastMethod,
    Money? ForecastTotal);

public sealed record ProviderReportTotals(
    int Tenants,
    int NewLeads,
    int PreviousNewLeads,
    TierMix Tiers,
    int Won,
    int Lost,
    double? ConversionRate,
    IReadOnlyList<Money> WonRevenue,
    IReadOnlyList<Money> PreviousWonRevenue,
    int OpenLeads,
    int StaleHotLeads);

/// <summary>The provider's cross-client report for one UTC period: totals and a row per client business.</summary>
public sealed record ProviderReport(ReportPeriod Period, DateTimeOffset GeneratedAt, ProviderReportTotals Totals, IReadOnlyList<TenantReportRow> Tenants);

/// <summary>
/// The provider's report across client businesses. There is no cross-tenant query: the tenant list comes from the
/// platform table, and each tenant's numbers from its own RLS transaction, exactly as its own report would, in UTC.
/// </summary>
public sealed class ProviderReportService(StreamFlowDatabase database, ReportGenerator generator, TimeProvider timeProvider)
{
    public async Task<ProviderReport> GenerateAsync(ReportPeriodKind kind, DateOnly? date, CancellationToken cancellationToken)
    {
        var tenants = await database.InPlatformAsync(TenantStore.IdsAndStatusesByNameAsync, cancellationToken);
        var rows = new List<TenantReportRow>();
        ReportPeriod? period = null;
        foreach (var tenant in tenants)
        {
            var summary = await generator.GenerateAsync(tenant.Id, kind, date, TimeZoneInfo.Utc, leadDetails: false, cancellationToken);
            period ??= summary.Period;
            rows.Add(new TenantReportRow(
                tenant.Id, summary.TenantName, tenant.Status, summary.Currency, summary.NewLeads, summary.Tiers, summary.Conversion, summary.WonRevenue,
                summary.Pipeline.OpenLeads, summary.Pipeline.OpenEstimatedValue, summary.StaleHotLeads.Count, summary.ResponseTime, summary.AiSpend,
                summary.Forecast.Method, summary.Forecast.Total is { } total ? Money.Of(total, summary.Currency) : null));
        }

        var now = timeProvider.GetUtcNow();
        period ??= date is { } day ? ReportPeriod.Containing(kind, day, TimeZoneInfo.Utc) : ReportPeriod.LastComplete(kind, now, TimeZoneInfo.Utc);
        var won = rows.Sum(r => r.Conversion.Won);
        var lost = rows.Sum(r => r.Conversion.Lost);
        var totals = new ProviderReportTotals(
            rows.Count,
            rows.Sum(r => r.NewLeads.Total),
            rows.Sum(r => r.NewLeads.PreviousTotal),
            new TierMix(rows.Sum(r => r.Tiers.Hot), rows.Sum(r => r.Tiers.Warm), rows.Sum(r => r.Tiers.Cold), rows.Sum(r => r.Tiers.Unscored)),
            won,
            lost,
            won + lost == 0 ? null : Math.Round((double)won / (won + lost), 4),
            SumByCurrency(rows.SelectMany(r => r.WonRevenue.OtherCurrencies.Prepend(r.WonRevenue.Amount))),
            SumByCurrency(rows.Select(r => r.WonRevenue.PreviousAmount)),
            rows.Sum(r => r.OpenLeads),
            rows.Sum(r => r.StaleHotLeads));
        return new ProviderReport(period, now, totals, rows);
    }

    private static IReadOnlyList<Money> SumByCurrency(IEnumerable<Money> amounts) =>
        amounts.GroupBy(m => m.Currency, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Money.Of(g.Sum(m => decimal.Parse(m.Amount, CultureInfo.InvariantCulture)), g.Key))
            .ToList();
}
