using System.Globalization;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Reports.Insights;

public sealed record SourceInsight(string Source, int Leads, int Decided, int Won, double? Conversion, decimal WonRevenue, double? AverageDaysToWin);

public sealed record OwnerInsight(Guid? OwnerId, string OwnerName, int Leads, int Decided, int Won, double? Conversion, decimal WonRevenue);

public sealed record StageVelocity(string Stage, string Name, string Kind, int Current, int Exits, double? AverageDays, double? MedianDays, int StuckNow);

public sealed record SeasonalIndex(string Period, double Index);

public sealed record Seasonality(string Method, string Explanation, IReadOnlyList<SeasonalIndex> Indexes);

public sealed record ForecastCheck(DateOnly Made, string Method, decimal? Forecast, decimal Actual, double? ErrorPercent);

public sealed record ForecastAccuracy(string Explanation, double? MeanAbsolutePercentError, IReadOnlyList<ForecastCheck> Checks);

public sealed record BusinessInsight(
    DateOnly From, DateOnly To, string Currency, IReadOnlyList<SourceInsight> BySource, IReadOnlyList<OwnerInsight> ByOwner,
    IReadOnlyList<StageVelocity> StageVelocity, Seasonality Seasonality, ForecastAccuracy ForecastAccuracy);

/// <summary>
/// Business insight beside the periodic report (docs/insights.md): revenue and conversion by source and by owner,
/// days in each pipeline stage, seasonality (yearly once a year of won revenue exists, weekly below that) and how the
/// report's 30-day revenue forecast fared against what happened.
/// </summary>
public sealed class InsightService(StreamFlowDatabase database, ReportsOptions options, TimeProvider timeProvider)
{
    private const int ForecastChecks = 6;
    private const int ForecastHistoryDays = 365;

    public async Task<Result<BusinessInsight>> InsightAsync(Guid tenantId, DateOnly? from, DateOnly? to, CancellationToken cancellationToken)
    {
        if (from is { } f && to is { } t && (f >= t || t.DayNumber - f.DayNumber > 3 * 366))
        {
            return Problem.Validation("to", "must be after 'from' and at most three years later.");
        }

        return await database.InTenantAsync(tenantId, async scope =>
        {
            var context = await ReportStore.ContextAsync(scope, tenantId) ?? throw new InvalidOperationException($"Tenant {tenantId} does not exist.");
            var zone = ReportPeriod.ZoneOrUtc(context.TimeZone);
            var currency = context.Currency ?? await ReportStore.MainCurrencyAsync(scope) ?? options.DefaultCurrency;
            var now = timeProvider.GetUtcNow();
            var today = ReportPeriod.LocalDate(now, zone);
            var end = to ?? today.AddDays(1);
            var start = from ?? end.AddDays(-365);
            var (startUtc, endUtc) = (ReportPeriod.StartOfDay(start, zone), ReportPeriod.StartOfDay(end, zone));

            var sources = await InsightStore.BySourceAsync(scope, startUtc, endUtc, currency);
            var owners = await InsightStore.ByOwnerAsync(scope, startUtc, endUtc, currency);
            var stages = await InsightStore.StageVelocityAsync(scope, startUtc, endUtc);
            var firstWon = await InsightStore.FirstWonAsync(scope, currency);
            var daily = await DailyAsync(scope, zone, currency, today.AddDays(-(ForecastHistoryDays + (ForecastChecks + 1) * 30)), today);
            var seasonality = await SeasonalityAsync(scope, zone, currency, today, firstWon, daily);
            var firstLead = await ReportStore.FirstLeadAsync(scope) is { } firstCreated ? ReportPeriod.LocalDate(firstCreated, zone) : today;
            return new BusinessInsight(
                start, end, currency,
                [.. sources.Select(s => new SourceInsight(s.Source, s.Leads, s.Decided, s.Won, Rate(s.Won, s.Decided), s.WonRevenue, Round(s.DaysToWin)))],
                [.. owners.Select(o => new OwnerInsight(o.OwnerId, o.OwnerName ?? (o.OwnerId is null ? "(unassigned)" : "(former user)"), o.Leads, o.Decided, o.Won, Rate(o.Won, o.Decided), o.WonRevenue))],
                [.. stages.Select(s => new StageVelocity(s.Stage, s.Name, s.Kind, s.Current, s.Exits, Round(s.AverageDays), Round(s.MedianDays), s.StuckNow))],
                seasonality, Accuracy(daily, firstLead, today));
        }, cancellationToken);
    }

    private static async Task<SortedDictionary<DateOnly, decimal>> DailyAsync(DbTransactionScope scope, TimeZoneInfo zone, string currency, DateOnly from, DateOnly to)
    {
        var rows = await ReportStore.DailyWonRevenueAsync(scope, zone.Id, currency, ReportPeriod.StartOfDay(from, zone), ReportPeriod.StartOfDay(to, zone));
        var daily = new SortedDictionary<DateOnly, decimal>();
        for (var day = from; day < to; day = day.AddDays(1))
        {
            daily[day] = 0;
        }

        foreach (var row in rows)
        {
            daily[DateOnly.ParseExact(row.Day, "yyyy-MM-dd", CultureInfo.InvariantCulture)] = row.Amount;
        }

        return daily;
    }

    private static async Task<Seasonality> SeasonalityAsync(
        DbTransactionScope scope, TimeZoneInfo zone, string currency, DateOnly today, DateTime? firstWon, SortedDictionary<DateOnly, decimal> daily)
    {
        var monthStart = new DateOnly(today.Year, today.Month, 1);
        var historyStart = firstWon is { } first ? ReportPeriod.LocalDate(new DateTimeOffset(DateTime.SpecifyKind(first, DateTimeKind.Utc)), zone) : today;
        var fullMonths = ((monthStart.Year - historyStart.Year) * 12) + monthStart.Month - historyStart.Month - 1;
        if (fullMonths >= 12)
        {
            var months = Math.Min(fullMonths, 36);
            var rows = await InsightStore.MonthlyWonRevenueAsync(scope, zone.Id, currency,
                ReportPeriod.StartOfDay(monthStart.AddMonths(-months), zone), ReportPeriod.StartOfDay(monthStart, zone));
            var byMonth = Enumerable.Range(0, months).Select(i => monthStart.AddMonths(-months + i))
                .Select(m => (m.Month, Amount: rows.FirstOrDefault(r => r.Month == m.ToString("yyyy-MM", CultureInfo.InvariantCulture))?.Amount ?? 0))
                .ToList();
            var mean = byMonth.Average(m => (double)m.Amount);
            var indexes = byMonth.GroupBy(m => m.Month).OrderBy(g => g.Key)
                .Select(g => new SeasonalIndex(CultureInfo.InvariantCulture.DateTimeFormat.GetAbbreviatedMonthName(g.Key), mean == 0 ? 1 : Math.Round(g.Average(m => (double)m.Amount) / mean, 2)))
                .ToList();
            return new Seasonality("yearly-monthly-index",
                $"Each calendar month's average won revenue over the last {months} full months, divided by the average month (1.00 = a typical month).", indexes);
        }

        var recent = daily.Where(d => d.Key >= today.AddDays(-56)).ToList();
        var dailyMean = recent.Count == 0 ? 0 : recent.Average(d => (double)d.Value);
        var weekdays = recent.GroupBy(d => d.Key.DayOfWeek).OrderBy(g => ((int)g.Key + 6) % 7)
            .Select(g => new SeasonalIndex(g.Key.ToString(), dailyMean == 0 ? 1 : Math.Round(g.Average(d => (double)d.Value) / dailyMean, 2)))
            .ToList();
        return new Seasonality("weekly-weekday-index",
            $"Less than a year of won revenue ({Math.Max(0, fullMonths)} full months): each weekday's average over the last 8 weeks, divided by the average day. A yearly index follows once 12 full months exist.",
            weekdays);
    }

    private static ForecastAccuracy Accuracy(SortedDictionary<DateOnly, decimal> daily, DateOnly firstLead, DateOnly today)
    {
        var checks = new List<ForecastCheck>();
        for (var k = ForecastChecks; k >= 1; k--)
        {
            var made = today.AddDays(-k * RevenueForecaster.HorizonDays);
            // As the report does: history starts with the business's first lead, at most a year back.
            var history = daily.Where(d => d.Key < made && d.Key >= made.AddDays(-ForecastHistoryDays) && d.Key >= firstLead).Select(d => d.Value).ToList();
            var forecast = RevenueForecaster.Forecast(history, made);
            var actual = daily.Where(d => d.Key >= made && d.Key < made.AddDays(RevenueForecaster.HorizonDays)).Sum(d => d.Value);
            double? error = forecast.Total is { } total && actual > 0 ? Math.Round((double)Math.Abs(total - actual) / (double)actual * 100, 1) : null;
            checks.Add(new ForecastCheck(made, forecast.Method, forecast.Total, actual, error));
        }

        var errors = checks.Where(c => c.ErrorPercent is not null).Select(c => c.ErrorPercent!.Value).ToList();
        return new ForecastAccuracy(
            "The report's 30-day forecast as its method makes it from the history before each date, next to the won revenue of the 30 days that followed; error = |forecast − actual| ÷ actual.",
            errors.Count == 0 ? null : Math.Round(errors.Average(), 1), checks);
    }

    private static double? Rate(int part, int whole) => whole == 0 ? null : Math.Round(part / (double)whole, 4);

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 2) : null;
}
