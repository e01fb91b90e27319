using StreamFlow.Core.Reports;

namespace StreamFlow.UnitTests.Reports;

public sealed class ReportScheduleTests
{
    private static readonly ReportSchedule Chicago = new(TimeZoneInfo.FindSystemTimeZoneById("America/Chicago"), new TimeOnly(7, 0), DayOfWeek.Monday);

    [Fact]
    public void Yesterdays_report_is_due_once_the_local_send_time_has_passed()
    {
        // 07:30 in Chicago (CST, UTC-6) on Wednesday 25 November 2026.
        var period = Chicago.DuePeriod(ReportPeriodKind.Day, new DateTimeOffset(2026, 11, 25, 13, 30, 0, TimeSpan.Zero));

        Assert.Equal(new DateOnly(2026, 11, 24), period.Start);
    }

    [Fact]
    public void Before_the_send_time_the_due_report_is_still_the_one_before()
    {
        // 06:30 in Chicago: yesterday's report is not due yet; the day before's is (and is sent once only).
        var period = Chicago.DuePeriod(ReportPeriodKind.Day, new DateTimeOffset(2026, 11, 25, 12, 30, 0, TimeSpan.Zero));

        Assert.Equal(new DateOnly(2026, 11, 23), period.Start);
    }

    [Fact]
    public void Last_weeks_report_becomes_due_on_the_chosen_weekday()
    {
        var thursdays = Chicago with { WeeklyOn = DayOfWeek.Thursday };
        var wednesday = new DateTimeOffset(2026, 11, 25, 18, 0, 0, TimeSpan.Zero);

        Assert.Equal(new DateOnly(2026, 11, 16), Chicago.DuePeriod(ReportPeriodKind.Week, wednesday).Start);
        Assert.Equal(new DateOnly(2026, 11, 9), thursdays.DuePeriod(ReportPeriodKind.Week, wednesday).Start);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 13, 0, 0, TimeSpan.Zero), thursdays.DueAt(ReportPeriod.Containing(ReportPeriodKind.Week, new DateOnly(2026, 11, 16), thursdays.Zone)));
    }

    [Fact]
    public void Last_months_report_becomes_due_on_the_first_at_the_send_time()
    {
        var period = Chicago.DuePeriod(ReportPeriodKind.Month, new DateTimeOffset(2026, 12, 1, 13, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateOnly(2026, 11, 1), period.Start);
    }
}
