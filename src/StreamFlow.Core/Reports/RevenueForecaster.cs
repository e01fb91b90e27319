using System.Globalization;

namespace StreamFlow.Core.Reports;

public static class ForecastMethod
{
    public const string SeasonalNaive = "seasonal-naive";
    public const string Naive = "naive";
    public const string TooLittleHistory = "too-little-history";
}

public sealed record ForecastPoint(DateOnly Date, decimal Amount);

/// <summary>A 30-day revenue forecast, the method that made it and, in one sentence, why that method.</summary>
public sealed record RevenueForecast(
    string Method,
    string Explanation,
    int HistoryDays,
    decimal? Total,
    IReadOnlyList<ForecastPoint> Daily,
    int BacktestWindows,
    double? NaiveError,
    double? SeasonalError)
{
    /// <summary>The last 8 weeks of daily won revenue the forecast starts from (for charts), oldest first.</summary>
    public IReadOnlyList<ForecastPoint> RecentHistory { get; init; } = [];
}

/// <summary>
/// Forecasts daily won revenue for the next 30 days from a tenant's own daily history. Two candidates: naive (the
/// mean of the last 28 days, carried forward) and seasonal naive over the week (each weekday's mean over the last
/// 4 weeks). The seasonal one is used only when it beats naive by at least 5 % mean absolute error in a rolling
/// backtest of 30-day windows on the same history; with less than 58 days of history there is no forecast.
/// </summary>
public static class RevenueForecaster
{
    public const int HorizonDays = 30;
    public const int WindowDays = 28;
    public const int MinimumHistoryDays = WindowDays + HorizonDays;
    public const int MaxBacktestWindows = 8;

    /// <summary>Seasonal must cut the naive error by this share to be chosen: noise alone rarely does.</summary>
    public const double RequiredImprovement = 0.05;

    /// <param name="history">Daily amounts, oldest first; the last one is the day before <paramref name="firstDay"/>.</param>
    public static RevenueForecast Forecast(IReadOnlyList<decimal> history, DateOnly firstDay)
    {
        var n = history.Count;
        if (n < MinimumHistoryDays)
        {
            return new RevenueForecast(ForecastMethod.TooLittleHistory,
                $"Too little history: a forecast needs at least {MinimumHistoryDays} days of this business's own history and there are {n}.",
                n, null, [], 0, null, null);
        }

        var values = history.Select(v => (double)v).ToArray();
        var historyStart = firstDay.AddDays(-n);
        var naiveError = 0.0;
        var seasonalError = 0.0;
        var windows = 0;
        for (var origin = n - HorizonDays; origin >= WindowDays && windows < MaxBacktestWindows; origin -= 7, windows++)
        {
            var horizon = Math.Min(HorizonDays, n - origin);
            var naive = Naive(values, origin, horizon);
            var seasonal = SeasonalNaive(values, origin, horizon, historyStart);
            for (var h = 0; h < horizon; h++)
            {
                naiveError += Math.Abs(values[origin + h] - naive[h]);
                seasonalError += Math.Abs(values[origin + h] - seasonal[h]);
            }
        }

        var points = windows * HorizonDays;
        naiveError /= points;
        seasonalError /= points;
        var useSeasonal = naiveError > 0 && seasonalError < naiveError * (1 - RequiredImprovement);
        var forecast = useSeasonal ? SeasonalNaive(values, n, HorizonDays, historyStart) : Naive(values, n, HorizonDays);
        var daily = forecast.Select((v, i) => new ForecastPoint(firstDay.AddDays(i), Round(v))).ToList();
        var explanation = useSeasonal
            ? $"Seasonal naive: each weekday's average won revenue over the last 4 weeks, repeated for 30 days, chosen because it beat the 28-day average by {Percent(1 - (seasonalError / naiveError))} in a backtest over {windows} past 30-day windows."
            : $"Naive: the average daily won revenue of the last 28 days carried forward 30 days, because the weekly-seasonal method did not beat it by at least {Percent(RequiredImprovement)} in a backtest over {windows} past 30-day windows.";
        return new RevenueForecast(useSeasonal ? ForecastMethod.SeasonalNaive : ForecastMethod.Naive, explanation, n,
            daily.Sum(p => p.Amount), daily, windows, Math.Round(naiveError, 2), Math.Round(seasonalError, 2));
    }

    private static double[] Naive(double[] values, int origin, int horizon)
    {
        var mean = values.AsSpan(origin - WindowDays, WindowDays).ToArray().Average();
        return Enumerable.Repeat(mean, horizon).ToArray();
    }

    private static double[] SeasonalNaive(double[] values, int origin, int horizon, DateOnly historyStart)
    {
        var byWeekday = new double[7];
        var counts = new int[7];
        for (var i = origin - WindowDays; i < origin; i++)
        {
            var weekday = (int)historyStart.AddDays(i).DayOfWeek;
            byWeekday[weekday] += values[i];
            counts[weekday]++;
        }

        return Enumerable.Range(origin, horizon)
            .Select(i => (int)historyStart.AddDays(i).DayOfWeek)
            .Select(weekday => byWeekday[weekday] / counts[weekday])
            .ToArray();
    }

    private static decimal Round(double value) => decimal.Round((decimal)value, 2, MidpointRounding.AwayFromZero);

    private static string Percent(double share) => share.ToString("0%", CultureInfo.InvariantCulture);
}
