using System.Globalization;
using StreamFlow.Core.Benchmarks;
using StreamFlow.Core.Database;
using StreamFlow.Core.FieldOps.Quotes;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads.Pipeline;
using StreamFlow.Core.Reports.Insights;
using StreamFlow.Core.Scoring.Governance;

namespace StreamFlow.Core.Reports;

/// <summary>
/// Computes a tenant's report numbers. Everything runs in one transaction of that tenant (<see cref="StreamFlowDatabase.InTenantAsync{T}"/>),
/// so row-level security confines every query to its rows.
/// </summary>
public sealed class ReportGenerator(
    StreamFlowDatabase database, IAiSpendReader aiSpend, IConnectionHealthReader connectionHealth, ModelGovernanceService governance, BenchmarkService benchmarks,
    InsightService insights, ReportsOptions options, TimeProvider timeProvider)
{
    private const int ForecastHistoryDays = 365;
    private const int RecentHistoryDays = 56;

    /// <summary>The report for the period of <paramref name="kind"/> containing <paramref name="date"/>, or the last complete one.</summary>
    public Task<ReportSummary> GenerateAsync(Guid tenantId, ReportPeriodKind kind, DateOnly? date, CancellationToken cancellationToken) =>
        GenerateAsync(tenantId, kind, date, zone: null, leadDetails: true, cancellationToken);

    /// <param name="zone">Overrides the tenant's time zone (the provider's cross-client report uses UTC for everyone).</param>
    /// <param name="leadDetails">False leaves out lead-level data (names of stale leads): aggregates only.</param>
    /// <remarks>The owner's report (<paramref name="leadDetails"/>) also carries the scorer's health, the business's place among its peers and the year's insight highlights.</remarks>
    internal async Task<ReportSummary> GenerateAsync(Guid tenantId, ReportPeriodKind kind, DateOnly? date, TimeZoneInfo? zone, bool leadDetails, CancellationToken cancellationToken)
    {
        var summary = await database.InTenantAsync(tenantId, async scope =>
        {
            var context = await ReportStore.ContextAsync(scope, tenantId) ?? throw new InvalidOperationException($"Tenant {tenantId} does not exist.");
            var timeZone = zone ?? ReportPeriod.ZoneOrUtc(context.TimeZone);
            var now = timeProvider.GetUtcNow();
            var period = date is { } day ? ReportPeriod.Containing(kind, day, timeZone) : ReportPeriod.LastComplete(kind, now, timeZone);
            return await BuildAsync(scope, tenantId, context, period, now, leadDetails, cancellationToken);
        }, cancellationToken);
        return leadDetails
            ? summary with
            {
                ModelHealth = await ModelHealthAsync(tenantId, cancellationToken),
                Peers = await PeersAsync(tenantId, cancellationToken),
                Insight = (await insights.InsightAsync(tenantId, null, null, cancellationToken)).Value is { } insight ? InsightHighlights.From(insight) : null,
            }
            : summary;
    }

    private async Task<ModelHealthReport> ModelHealthAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var model = await governance.EvaluateAsync(tenantId, [], cancellationToken);
        return new ModelHealthReport(
            model.Card?.Version, model.Card?.ValidationAuc, model.Live?.Outcomes ?? 0, model.Live?.Auc, model.Live?.Assessment ?? "no serving model yet",
            [.. model.Drift.Where(d => d.Status != "stable").Select(d => d.Feature)], model.Retrain.Recommended, model.Retrain.Reasons,
            model.IndustryPool is { } pool ? $"the {pool.Industry} industry's pool of {pool.Businesses} businesses ({(pool.PoolWeight * 100).ToString("0", CultureInfo.InvariantCulture)} % of the score)" : null);
    }

    private async Task<PeerPositionReport?> PeersAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var own = await benchmarks.ForTenantAsync(tenantId, cancellationToken);
        return own.Value is not { } found
            ? null
            : new PeerPositionReport(found.Position.Industry, found.Position.SizeBand,
                [.. found.Position.Figures.Select(f => new PeerFigure(f.Figure, f.Value, f.PercentileRank, f.P50, f.Suppressed))]);
    }

    internal async Task<ReportSummary> BuildAsync(DbTransactionScope scope, Guid tenantId, ReportContext context, ReportPeriod period, DateTimeOffset now, bool leadDetails, CancellationToken cancellationToken)
    {
        var currency = CurrencyOrNull(context.Currency) ?? CurrencyOrNull(await ReportStore.MainCurrencyAsync(scope)) ?? options.DefaultCurrency;
        var newLeads = await ReportStore.NewLeadsAsync(scope, period);
        var outcomes = await ReportStore.OutcomesAsync(scope, period);
        var pipeline = Pipeline(await ReportStore.StagesAsync(scope), await ReportStore.StageTotalsAsync(scope, currency), currency);
        var staleHot = await StaleHotLeadsAsync(scope, now - options.StaleHotAfter, leadDetails);
        var responses = await ReportStore.ResponseTimesAsync(scope, period, now);
        var spend = await aiSpend.ReadAsync(scope, tenantId, period, cancellationToken);
        var forecast = await ForecastAsync(scope, period, currency, now);
        var connections = await connectionHealth.ReadAsync(scope, now, cancellationToken);
        var field = await ReportStore.FieldWorkAsync(scope, period, currency);
        var technicians = await FieldOps.Reporting.FieldWorkCalculator.ReadAsync(scope, period.StartUtc, period.EndUtc, period.Zone);
        return new ReportSummary(
            tenantId, context.Name, period, period.Previous(), now, currency,
            NewLeads(newLeads), Tiers(newLeads.Where(r => r.InPeriod)), Conversion(outcomes), WonRevenue(outcomes, currency),
            pipeline, staleHot, ResponseTime(responses), spend, forecast, connections, FieldWork(field, technicians, currency));
    }

    private static FieldWorkReport? FieldWork(FieldWorkRow row, FieldOps.Reporting.FieldWorkFigures figures, string currency)
    {
        if (row is { VisitsCompleted: 0, QuotesSent: 0, QuotesApproved: 0 } && figures.Technicians.All(t => t.Visits == 0))
        {
            return null;
        }

        return new FieldWorkReport(row.VisitsCompleted, row.VisitsReportedLate,
            Rate(row.VisitsCompleted - row.VisitsReportedLate, row.VisitsCompleted), row.QuotesSent, QuoteMath.OfMinor(row.QuotedMinor, currency),
            row.QuotesApproved, QuoteMath.OfMinor(row.ApprovedMinor, currency),
            figures.Arrivals, figures.OnTimeArrivals, figures.OnTimeArrivalRate, figures.Technicians);
    }

    private static NewLeadsReport NewLeads(IReadOnlyList<NewLeadRow> rows)
    {
        var bySource = rows
            .GroupBy(r => r.Source.Length == 0 ? "(none)" : r.Source, StringComparer.Ordinal)
            .Select(g => new SourceCount(g.Key, g.Where(r => r.InPeriod).Sum(r => r.Count), g.Where(r => !r.InPeriod).Sum(r => r.Count)))
            .Where(s => s.Count > 0)
            .OrderByDescending(s => s.Count).ThenBy(s => s.Source, StringComparer.Ordinal)
            .ToList();
        return new NewLeadsReport(rows.Where(r => r.InPeriod).Sum(r => r.Count), rows.Where(r => !r.InPeriod).Sum(r => r.Count), bySource);
    }

    private static TierMix Tiers(IEnumerable<NewLeadRow> rows)
    {
        var byTier = rows.GroupBy(r => r.Tier ?? "").ToDictionary(g => g.Key, g => g.Sum(r => r.Count));
        return new TierMix(byTier.GetValueOrDefault("hot"), byTier.GetValueOrDefault("warm"), byTier.GetValueOrDefault("cold"), byTier.GetValueOrDefault(""));
    }

    private static ConversionReport Conversion(IReadOnlyList<OutcomeRow> rows)
    {
        int Count(string outcome, bool inPeriod) => rows.Where(r => r.Outcome == outcome && r.InPeriod == inPeriod).Sum(r => r.Count);
        var (won, lost, previousWon, previousLost) = (Count("won", true), Count("lost", true), Count("won", false), Count("lost", false));
        return new ConversionReport(won, lost, Rate(won, won + lost), previousWon, previousLost, Rate(previousWon, previousWon + previousLost));
    }

    private static WonRevenueReport WonRevenue(IReadOnlyList<OutcomeRow> rows, string currency)
    {
        var won = rows.Where(r => r.Outcome == "won" && r.Currency is not null).ToList();
        var current = won.Where(r => r.InPeriod && r.Currency == currency).Sum(r => r.Amount);
        var previous = won.Where(r => !r.InPeriod && r.Currency == currency).Sum(r => r.Amount);
        var others = won.Where(r => r.InPeriod && r.Currency != currency)
            .GroupBy(r => r.Currency!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Money.Of(g.Sum(r => r.Amount), g.Key))
            .ToList();
        double? change = previous == 0 ? null : Math.Round((double)((current - previous) / previous), 4);
        return new WonRevenueReport(Money.Of(current, currency), Money.Of(previous, currency), change, others);
    }

    private static PipelineReport Pipeline(IReadOnlyList<StageRow> stages, IReadOnlyList<StageTotalsRow> totals, string currency)
    {
        var byStage = totals.ToDictionary(t => t.Stage, StringComparer.Ordinal);
        // A stage that leads are in but the pipeline no longer lists still shows, after the known ones.
        var all = stages.Concat(totals.Where(t => stages.All(s => s.Key != t.Stage)).Select(t => new StageRow(t.Stage, t.Stage, StageKind.Open, int.MaxValue)));
        var values = all.Select(stage =>
        {
            var row = byStage.GetValueOrDefault(stage.Key) ?? new StageTotalsRow(stage.Key, 0, 0, 0, 0);
            return stage.Kind switch
            {
                StageKind.Won => new StageValue(stage.Key, stage.Name, stage.Kind, row.Count, Money.Of(row.Realized, currency), null, 0),
                StageKind.Lost => new StageValue(stage.Key, stage.Name, stage.Kind, row.Count, null, null, 0),
                _ => new StageValue(stage.Key, stage.Name, stage.Kind, row.Count, null, Money.Of(row.Estimated, currency), row.EstimatedCount),
            };
        }).ToList();
        var open = values.Where(v => v.Kind == StageKind.Open).ToList();
        return new PipelineReport(values, open.Sum(v => v.Count), Money.Of(open.Sum(v => Amount(v.EstimatedValue)), currency));
    }

    private async Task<StaleHotLeadsReport> StaleHotLeadsAsync(DbTransactionScope scope, DateTimeOffset cutoff, bool leadDetails)
    {
        if (!leadDetails)
        {
            return new StaleHotLeadsReport(await ReportStore.StaleHotLeadCountAsync(scope, cutoff), []);
        }

        var rows = await ReportStore.StaleHotLeadsAsync(scope, cutoff, options.StaleHotLeadsListed);
        var leads = rows.Select(r => new StaleLead(r.Id, DisplayName(r), r.Source, r.CreatedAt, r.LastTouchedAt)).ToList();
        return new StaleHotLeadsReport(rows.Count == 0 ? 0 : rows[0].Total, leads);
    }

    private static ResponseTimeReport ResponseTime(IReadOnlyList<ResponseRow> rows)
    {
        var current = rows.FirstOrDefault(r => r.InPeriod) ?? new ResponseRow(true, 0, 0, null);
        var previous = rows.FirstOrDefault(r => !r.InPeriod);
        return new ResponseTimeReport(current.Created, current.Responded, Hours(current.AverageSeconds), Hours(previous?.AverageSeconds));
    }

    private static async Task<RevenueForecast> ForecastAsync(DbTransactionScope scope, ReportPeriod period, string currency, DateTimeOffset now)
    {
        // Forecast from the end of the period, or from today for a period that has not ended.
        var today = ReportPeriod.LocalDate(now, period.Zone);
        var origin = period.End < today ? period.End : today;
        var first = await ReportStore.FirstLeadAsync(scope);
        var historyStart = first is { } firstLead ? ReportPeriod.LocalDate(firstLead, period.Zone) : origin;
        if (historyStart < origin.AddDays(-ForecastHistoryDays))
        {
            historyStart = origin.AddDays(-ForecastHistoryDays);
        }

        var days = Math.Max(0, origin.DayNumber - historyStart.DayNumber);
        var history = new decimal[days];
        if (days > 0)
        {
            var rows = await ReportStore.DailyWonRevenueAsync(scope, period.Zone.Id, currency,
                ReportPeriod.StartOfDay(historyStart, period.Zone), ReportPeriod.StartOfDay(origin, period.Zone));
            foreach (var row in rows)
            {
                var index = DateOnly.ParseExact(row.Day, "yyyy-MM-dd", CultureInfo.InvariantCulture).DayNumber - historyStart.DayNumber;
                if (index >= 0 && index < days)
                {
                    history[index] = row.Amount;
                }
            }
        }

        return RevenueForecaster.Forecast(history, origin) with
        {
            RecentHistory = history.Select((amount, i) => new ForecastPoint(historyStart.AddDays(i), amount)).TakeLast(RecentHistoryDays).ToList(),
        };
    }

    private static string DisplayName(StaleLeadRow row) =>
        string.Join(' ', new[] { row.FirstName, row.LastName }.Where(p => !string.IsNullOrWhiteSpace(p))) is { Length: > 0 } name
            ? name
            : row.Company ?? row.Email ?? "(no name)";

    private static double? Rate(int part, int whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);

    private static double? Hours(double? seconds) => seconds is { } s ? Math.Round(s / 3600, 2) : null;

    private static decimal Amount(Money? money) => money is null ? 0 : decimal.Parse(money.Amount, CultureInfo.InvariantCulture);

    private static string? CurrencyOrNull(string? code) =>
        code is { Length: 3 } && code.All(char.IsAsciiLetter) ? code.ToUpperInvariant() : null;
}
