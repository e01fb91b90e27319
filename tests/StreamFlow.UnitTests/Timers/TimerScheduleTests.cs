using Microsoft.Extensions.Configuration;
using StreamFlow.Standalone.Timers;

namespace StreamFlow.UnitTests.Timers;

public sealed class TimerScheduleTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Six_field_cron_resolves_from_a_setting()
    {
        var schedule = TimerSchedule.Parse("%HeartbeatSchedule%", Settings(("HeartbeatSchedule", "0 */5 * * * *")));

        Assert.Equal(new DateTime(2026, 1, 1, 10, 5, 0), schedule.NextAfter(new DateTime(2026, 1, 1, 10, 0, 0)));
    }

    [Fact]
    public void Seconds_field_is_honoured()
    {
        var schedule = TimerSchedule.Parse("30 0 2 * * *", Settings());

        Assert.Equal(new DateTime(2026, 1, 2, 2, 0, 30), schedule.NextAfter(new DateTime(2026, 1, 2, 2, 0, 0)));
    }

    [Fact]
    public void Timespan_interval_is_supported()
    {
        var schedule = TimerSchedule.Parse("00:10:00", Settings());

        Assert.Equal(new DateTime(2026, 1, 1, 0, 10, 0), schedule.NextAfter(new DateTime(2026, 1, 1)));
    }

    [Fact]
    public void Missing_setting_is_a_clear_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TimerSchedule.Parse("%Nope%", Settings()));

        Assert.Contains("Nope", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Five_field_cron_is_refused_like_the_functions_host_does()
    {
        Assert.Throws<FormatException>(() => TimerSchedule.Parse("*/5 * * * *", Settings()));
    }
}
