using StreamFlow.Core.Reports;

namespace StreamFlow.UnitTests.Reports;

public sealed class ReportPeriodTests
{
    private static TimeZoneInfo Zone(string id) => TimeZoneInfo.FindSystemTimeZoneById(id);

    private static DateTimeOffset Utc(int year, int month, int day, int hour = 0, int minute = 0) => new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void A_day_starts_and_ends_at_local_midnight()
    {
        var day = ReportPeriod.Containing(ReportPeriodKind.Day, new DateOnly(2026, 6, 10), Zone("America/Chicago"));

        Assert.Equal(Utc(2026, 6, 10, 5), day.StartUtc);
        Assert.Equal(Utc(2026, 6, 11, 5), day.EndUtc);
    }

    [Fact]
    public void The_day_clocks_spring_forward_is_23_hours_long()
    {
        var day = ReportPeriod.Containing(ReportPeriodKind.Day, new DateOnly(2026, 3, 8), Zone("America/New_York"));

        Assert.Equal(TimeSpan.FromHours(23), day.EndUtc - day.StartUtc);
        Assert.Equal(Utc(2026, 3, 8, 5), day.StartUtc);
    }

    [Fact]
    public void The_day_clocks_fall_back_is_25_hours_long()
    {
        var day = ReportPeriod.Containing(ReportPeriodKind.Day, new DateOnly(2026, 11, 1), Zone("America/New_York"));

        Assert.Equal(TimeSpan.FromHours(25), day.EndUtc - day.StartUtc);
    }

    [Fact]
    public void A_skipped_midnight_starts_the_day_at_the_first_instant_that_exists()
    {
        // Havana moves from 00:00 CST straight to 01:00 CDT on 2026-03-08.
        var day = ReportPeriod.Containing(ReportPeriodKind.Day, new DateOnly(2026, 3, 8), Zone("America/Havana"));

        Assert.Equal(Utc(2026, 3, 8, 5), day.StartUtc);
        Assert.Equal(day.StartUtc, ReportPeriod.Containing(ReportPeriodKind.Day, new DateOnly(2026, 3, 7), Zone("America/Havana")).EndUtc);
    }

    [Fact]
    public void A_midnight_that_happens_twice_starts_the_day_at_the_first_one()
    {
        // Havana's clocks go from 00:59:59 CDT back to 00:00 CST on 2026-11-01.
        var day = ReportPeriod.Containing(ReportPeriodKind.Day, new DateOnly(2026, 11, 1), Zone("America/Havana"));

        Assert.Equal(Utc(2026, 11, 1, 4), day.StartUtc);
        Assert.Equal(TimeSpan.FromHours(25), day.EndUtc - day.StartUtc);
    }

    [Fact]
    public void A_week_runs_monday_to_monday_and_spans_a_dst_change_in_local_time()
    {
        // Berlin leaves summer time on Sunday 25 October 2026.
        var week = ReportPeriod.Containing(ReportPeriodKind.Week, new DateOnly(2026, 10, 21), Zone("Europe/Berlin"));

        Assert.Equal(new DateOnly(2026, 10, 19), week.Start);
        Assert.Equal(new DateOnly(2026, 10, 26), week.End);
        Assert.Equal(Utc(2026, 10, 18, 22), week.StartUtc);
        Assert.Equal(Utc(2026, 10, 25, 23), week.EndUtc);
    }

    [Fact]
    public void A_sunday_belongs_to_the_week_that_began_the_monday_before()
    {
        var week = ReportPeriod.Containing(ReportPeriodKind.Week, new DateOnly(2026, 11, 29), TimeZoneInfo.Utc);

        Assert.Equal(new DateOnly(2026, 11, 23), week.Start);
    }

    [Fact]
    public void A_month_across_the_southern_hemisphere_dst_change_starts_and_ends_at_local_midnight()
    {
        var month = ReportPeriod.Containing(ReportPeriodKind.Month, new DateOnly(2026, 10, 15), Zone("Australia/Sydney"));

        Assert.Equal(new DateOnly(2026, 10, 1), month.Start);
        Assert.Equal(new DateOnly(2026, 11, 1), month.End);
        Assert.Equal(Utc(2026, 9, 30, 14), month.StartUtc);
        Assert.Equal(Utc(2026, 10, 31, 13), month.EndUtc);
    }

    [Fact]
    public void The_last_complete_day_depends_on_the_time_zone()
    {
        var now = Utc(2026, 11, 25, 3);

        Assert.Equal(new DateOnly(2026, 11, 24), ReportPeriod.LastComplete(ReportPeriodKind.Day, now, TimeZoneInfo.Utc).Start);
        Assert.Equal(new DateOnly(2026, 11, 23), ReportPeriod.LastComplete(ReportPeriodKind.Day, now, Zone("America/Los_Angeles")).Start);
        Assert.Equal(new DateOnly(2026, 11, 24), ReportPeriod.LastComplete(ReportPeriodKind.Day, now, Zone("Asia/Kolkata")).Start);
    }

    [Fact]
    public void The_previous_period_ends_where_the_period_starts()
    {
        var month = ReportPeriod.Containing(ReportPeriodKind.Month, new DateOnly(2026, 3, 31), Zone("Europe/London"));

        Assert.Equal(new DateOnly(2026, 2, 1), month.Previous().Start);
        Assert.Equal(month.StartUtc, month.Previous().EndUtc);
    }

    [Fact]
    public void An_unknown_time_zone_falls_back_to_utc()
    {
        Assert.Equal(TimeZoneInfo.Utc, ReportPeriod.ZoneOrUtc("Mars/Olympus_Mons"));
    }
}
