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

    // A bar's hours: 18:00 to 02:00 the next morning, every day.
    private static readonly DayHours Night = new("18:00", "02:00");
    private static readonly WeeklyHours Nightly = new(Night, Night, Night, Night, Night, Night, Night);
    private static readonly DayHours AroundTheClock = new("00:00", "24:00");

    [Fact]
    public void Hours_that_close_after_midnight_are_open_until_the_closing_the_next_morning()
    {
        var calendar = Calendar(Nightly);

        // Monday 2027-01-11 in Chicago (CST, UTC-6).
        Assert.True(calendar.IsOpen(Utc("2027-01-11T07:59:00Z")));   // 01:59, Sunday night's hours
        Assert.False(calendar.IsOpen(Utc("2027-01-11T08:00:00Z")));  // 02:00
        Assert.False(calendar.IsOpen(Utc("2027-01-11T23:59:00Z")));  // 17:59
        Assert.True(calendar.IsOpen(Utc("2027-01-12T00:00:00Z")));   // 18:00
        Assert.True(calendar.IsOpen(Utc("2027-01-12T06:00:00Z")));   // 00:00 Tuesday
    }

    [Fact]
    public void Business_minutes_run_on_across_midnight_and_carry_from_the_closing_to_the_next_evening()
    {
        var calendar = Calendar(Nightly);

        Assert.Equal(Utc("2027-01-11T07:45:00Z"), calendar.AddBusinessMinutes(Utc("2027-01-11T07:30:00Z"), 15)); // 01:30 -> 01:45
        Assert.Equal(Utc("2027-01-12T06:20:00Z"), calendar.AddBusinessMinutes(Utc("2027-01-12T05:50:00Z"), 30)); // 23:50 -> 00:20
        Assert.Equal(Utc("2027-01-13T00:20:00Z"), calendar.AddBusinessMinutes(Utc("2027-01-12T07:50:00Z"), 30)); // 01:50 -> 18:20
        Assert.Equal(Utc("2027-01-12T00:00:00Z"), calendar.AddBusinessMinutes(Utc("2027-01-11T12:00:00Z"), 0));  // closed: the opening
    }

    [Fact]
    public void A_night_that_opens_on_the_last_open_day_runs_into_a_closed_day()
    {
        // Open Friday night only: Saturday 01:00 belongs to Friday's hours, Saturday evening does not open.
        var calendar = Calendar(new WeeklyHours(null, null, null, null, Night, null, null));

        Assert.True(calendar.IsOpen(Utc("2027-01-16T07:00:00Z")));
        Assert.False(calendar.IsOpen(Utc("2027-01-17T02:00:00Z")));
        Assert.Equal(Utc("2027-01-23T00:10:00Z"), calendar.AddBusinessMinutes(Utc("2027-01-16T07:50:00Z"), 20)); // Saturday 01:50 -> next Friday 18:10
    }

    [Fact]
    public void A_holiday_closes_the_night_that_opens_on_it_not_the_one_that_began_the_day_before()
    {
        var calendar = Calendar(Nightly, new Holiday(new DateOnly(2027, 1, 12), "Staff party"));

        Assert.True(calendar.IsOpen(Utc("2027-01-12T07:00:00Z")));   // Tuesday 01:00: Monday night's hours
        Assert.False(calendar.IsOpen(Utc("2027-01-13T02:00:00Z")));  // Tuesday 20:00
        Assert.False(calendar.IsOpen(Utc("2027-01-13T07:00:00Z")));  // Wednesday 01:00: Tuesday night's hours
        Assert.Equal(Utc("2027-01-14T00:20:00Z"), calendar.AddBusinessMinutes(Utc("2027-01-12T07:50:00Z"), 30)); // Tuesday 01:50 -> Wednesday 18:20
    }

    [Fact]
    public void A_night_across_the_spring_forward_counts_the_hours_that_really_pass()
    {
        // Saturday 2027-03-13 18:00 CST (00:00Z) to Sunday 02:00, which does not exist: 03:00 CDT (08:00Z), eight real hours.
        var calendar = Calendar(new WeeklyHours(null, null, null, null, null, Night, null));

        Assert.Equal(Utc("2027-03-14T08:00:00Z"), calendar.AddBusinessMinutes(Utc("2027-03-14T00:00:00Z"), 480));
        Assert.Equal(Utc("2027-03-20T23:01:00Z"), calendar.AddBusinessMinutes(Utc("2027-03-14T00:00:00Z"), 481)); // next Saturday 18:01 CDT
        Assert.True(calendar.IsOpen(Utc("2027-03-14T07:59:00Z")));
        Assert.False(calendar.IsOpen(Utc("2027-03-14T08:00:00Z")));
    }

    [Fact]
    public void A_night_across_the_fall_back_counts_the_repeated_hour()
    {
        // Saturday 2027-11-06 18:00 CDT (23:00Z) to Sunday 02:00 CST (08:00Z): nine real hours.
        var calendar = Calendar(new WeeklyHours(null, null, null, null, null, Night, null));

        Assert.Equal(Utc("2027-11-07T08:00:00Z"), calendar.AddBusinessMinutes(Utc("2027-11-06T23:00:00Z"), 540));
        Assert.True(calendar.IsOpen(Utc("2027-11-07T07:30:00Z")));   // 01:30 CST, the second 01:30
        Assert.False(calendar.IsOpen(Utc("2027-11-07T08:00:00Z")));
    }

    [Fact]
    public void A_day_open_around_the_clock_counts_every_real_minute_even_on_the_short_day()
    {
        var calendar = Calendar(new WeeklyHours(AroundTheClock, AroundTheClock, AroundTheClock, AroundTheClock, AroundTheClock, AroundTheClock, AroundTheClock));

        // Saturday 12:00 CST + 1,440 business minutes = Sunday 13:00 CDT: the same instant a day of 23 hours later by the clock.
        Assert.Equal(Utc("2027-03-14T18:00:00Z"), calendar.AddBusinessMinutes(Utc("2027-03-13T18:00:00Z"), 1440));
        Assert.Equal(Utc("2027-01-12T06:10:00Z"), calendar.AddBusinessMinutes(Utc("2027-01-12T05:55:00Z"), 15)); // 23:55 -> 00:10
        Assert.True(calendar.IsOpen(Utc("2027-03-14T08:30:00Z")));
        Assert.True(calendar.IsOpen(Utc("2027-01-12T06:00:00Z")));   // midnight
    }

    [Fact]
    public void A_single_day_open_until_midnight_closes_at_midnight()
    {
        var calendar = Calendar(new WeeklyHours(new DayHours("20:00", "24:00"), null, null, null, null, null, null));

        Assert.True(calendar.IsOpen(Utc("2027-01-12T05:59:00Z")));   // Monday 23:59
        Assert.False(calendar.IsOpen(Utc("2027-01-12T06:00:00Z")));  // Tuesday 00:00
        Assert.Equal(Utc("2027-01-19T02:05:00Z"), calendar.AddBusinessMinutes(Utc("2027-01-12T05:55:00Z"), 10)); // next Monday 20:05
    }

    [Fact]
    public void Hours_that_open_and_close_at_the_same_time_are_closed()
    {
        var calendar = Calendar(new WeeklyHours(new DayHours("18:00", "18:00"), Office, null, null, null, null, null));

        Assert.False(calendar.IsOpen(Utc("2027-01-12T01:00:00Z")));  // Monday 19:00
        Assert.True(calendar.IsOpen(Utc("2027-01-12T15:00:00Z")));   // Tuesday 09:00
    }
}
