using StreamFlow.Core.Reports;

namespace StreamFlow.UnitTests.Reports;

public sealed class RevenueForecasterTests
{
    private static readonly DateOnly FirstDay = new(2026, 11, 30);

    /// <summary>A business that wins on weekdays and rests at weekends, with some noise.</summary>
    private static decimal[] WeekdaySeasonal(int days, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, days)
            .Select(i => FirstDay.AddDays(i - days).DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0m : 1000m + random.Next(-150, 150))
            .ToArray();
    }

    private static decimal[] Noise(int days, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, days).Select(_ => (decimal)random.Next(0, 2000)).ToArray();
    }

    [Fact]
    public void Weekly_seasonal_history_chooses_the_seasonal_method()
    {
        var forecast = RevenueForecaster.Forecast(WeekdaySeasonal(120, seed: 1), FirstDay);

        Assert.Equal(ForecastMethod.SeasonalNaive, forecast.Method);
        Assert.True(forecast.SeasonalError < forecast.NaiveError);
    }

    [Fact]
    public void The_seasonal_forecast_repeats_the_weekly_pattern()
    {
        var forecast = RevenueForecaster.Forecast(WeekdaySeasonal(120, seed: 2), FirstDay);

        Assert.All(forecast.Daily.Where(p => p.Date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday), p => Assert.Equal(0m, p.Amount));
        Assert.All(forecast.Daily.Where(p => p.Date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)), p => Assert.InRange(p.Amount, 850m, 1150m));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Noise_without_a_weekly_pattern_keeps_the_naive_method(int seed)
    {
        var forecast = RevenueForecaster.Forecast(Noise(200, seed), FirstDay);

        Assert.Equal(ForecastMethod.Naive, forecast.Method);
    }

    [Fact]
    public void The_naive_forecast_carries_the_last_28_days_average_forward()
    {
        var history = Enumerable.Repeat(0m, 100).Concat(Enumerable.Repeat(70m, 28)).ToArray();

        var forecast = RevenueForecaster.Forecast(history, FirstDay);

        Assert.Equal(ForecastMethod.Naive, forecast.Method);
        Assert.Equal(30, forecast.Daily.Count);
        Assert.Equal(2100m, forecast.Total);
        Assert.Equal(FirstDay, forecast.Daily[0].Date);
    }

    [Fact]
    public void Below_the_threshold_there_is_too_little_history_and_no_forecast()
    {
        var forecast = RevenueForecaster.Forecast(WeekdaySeasonal(RevenueForecaster.MinimumHistoryDays - 1, seed: 3), FirstDay);

        Assert.Equal(ForecastMethod.TooLittleHistory, forecast.Method);
        Assert.Null(forecast.Total);
        Assert.Empty(forecast.Daily);
        Assert.Contains($"{RevenueForecaster.MinimumHistoryDays - 1}", forecast.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void At_the_threshold_a_forecast_is_made()
    {
        var forecast = RevenueForecaster.Forecast(WeekdaySeasonal(RevenueForecaster.MinimumHistoryDays, seed: 4), FirstDay);

        Assert.NotEqual(ForecastMethod.TooLittleHistory, forecast.Method);
        Assert.Equal(1, forecast.BacktestWindows);
    }

    [Fact]
    public void The_method_is_stated_in_one_sentence()
    {
        var explanation = RevenueForecaster.Forecast(WeekdaySeasonal(120, seed: 5), FirstDay).Explanation;

        Assert.EndsWith(".", explanation, StringComparison.Ordinal);
        Assert.Single(explanation.Split(". ", StringSplitOptions.None));
    }
}
