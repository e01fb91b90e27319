using StreamFlow.Core.Settings;

namespace StreamFlow.UnitTests.Settings;

public sealed class BusinessCalendarTests
{
    private static readonly TimeZoneInfo Chicago = TimeZoneInfo.FindSystemTimeZoneById("America/Chicago");
    private static readonly DayHours Office = new("08:00", "17:00");
    private static readonly WeeklyHours Weekdays = new(Office, Office, Office, Office, Office, null, null);

    private static BusinessCalendar Calendar(WeeklyHours? hours = null, params Holiday[] holidays) => new(Chicago, hours ?? Weekdays, holidays);

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Minutes_inside_open_hours_pass_as_clock_minutes()
    {
        Assert.Equal(Utc("2027-03-08T15:15:00Z"), Calendar().AddBusinessMinutes(Utc("2027-03-08T15:00:00Z"), 15));
    }

    [Fact]
    public void Minutes_left_at_closing_carry_over_to_the_next_opening()
    {
        Assert.Equal(Utc("2027-03-09T14:05:00Z"), Calendar().AddBusinessMinutes(Utc("2027-03-08T22:50:00Z"), 15));
    }

    [Fact]
    public void A_start_before_opening_counts_from_the_opening()
    {
        Assert.Equal(Utc("2027-03-08T14:15:00Z"), Calendar().AddBusinessMinutes(Utc("2027-03-08T12:00:00Z"), 15));
    }

    [Fact]
    public void Friday_evening_carries_over_the_weekend_and_into_daylight_time()
    {
        // Friday 16:55 CST + 15 business minutes = Monday 08:10 CDT: the weekend holds the spring-forward night.
        Assert.Equal(Utc("2027-03-15T13:10:00Z"), Calendar().AddBusinessMinutes(Utc("2027-03-12T22:55:00Z"), 15));
    }

    [Fact]
    public void A_holiday_is_skipped_like_a_closed_day()
    {
        var calendar = Calendar(null, new Holiday(new DateOnly(2027, 3, 12), "Founders' day"));

        Assert.Equal(Utc("2027-03-15T13:10:00Z"), calendar.AddBusinessMinutes(Utc("2027-03-11T22:55:00Z"), 15));
        Assert.False(calendar.IsOpen(Utc("2027-03-12T16:00:00Z")));
    }

    [Fact]
    public void The_spring_forward_day_counts_only_the_hours_that_really_pass()
    {
        // Sunday 01:00-04:00 local on 2027-03-14 is two real hours (07:00Z to 09:00Z).
        var calendar = Calendar(Weekdays with { Sunday = new DayHours("01:00", "04:00") });

        Assert.Equal(Utc("2027-03-14T09:00:00Z"), calendar.AddBusinessMinutes(Utc("2027-03-14T07:00:00Z"), 120));
        Assert.Equal(Utc("2027-03-15T13:30:00Z"), calendar.AddBusinessMinutes(Utc("2027-03-14T07:00:00Z"), 150));
    }

    [Fact]
    public void An_opening_inside_the_spring_forward_gap_moves_forward_by_the_gap()
    {
        var calendar = Calendar(Weekdays with { Sunday = new DayHours("02:30", "05:00") });

        Assert.False(calendar.IsOpen(Utc("2027-03-14T08:00:00Z")));
        Assert.True(calendar.IsOpen(Utc("2027-03-14T08:30:00Z")));
        Assert.Equal(Utc("2027-03-14T10:00:00Z"), calendar.AddBusinessMinutes(Utc("2027-03-14T06:00:00Z"), 90));
    }

    [Fact]
    public void The_fall_back_day_counts_the_repeated_hour()
    {
        // Sunday 00:00-04:00 local on 2027-11-07 is five real hours (05:00Z CDT to 10:00Z CST).
        var calendar = Calendar(Weekdays with { Sunday = new DayHours("00:00", "04:00") });

        Assert.Equal(Utc("2027-11-07T10:00:00Z"), calendar.AddBusinessMinutes(Utc("2027-11-07T05:00:00Z"), 300));
        Assert.Equal(Utc("2027-11-08T14:01:00Z"), calendar.AddBusinessMinutes(Utc("2027-11-07T05:00:00Z"), 301));
    }

    [Fact]
    public void Open_hours_are_local_to_the_business()
    {
        var calendar = Calendar();

        Assert.True(calendar.IsOpen(Utc("2027-03-08T14:00:00Z")));
        Assert.False(calendar.IsOpen(Utc("2027-03-08T13:59:00Z")));
        Assert.False(calendar.IsOpen(Utc("2027-03-08T23:00:00Z")));
        Assert.False(calendar.IsOpen(Utc("2027-03-13T16:00:00Z")));
    }
}
