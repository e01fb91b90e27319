using StreamFlow.Core.FieldOps.Dispatch;
using StreamFlow.Core.FieldOps.TimeClock;

namespace StreamFlow.UnitTests.FieldOps;

public sealed class TimeClockRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 15, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(2);
    private static readonly Geofence Site = new(new GeoPoint(30.2672, -97.7431), 150);

    [Fact]
    public void A_punch_at_the_site_is_accepted_unflagged()
    {
        var punch = PunchRules.Check(Punch(30.2676, -97.7431, 10), Site, Now, Skew);

        Assert.True(punch.Succeeded);
        Assert.False(punch.Value.OutsideGeofence);
        Assert.InRange(punch.Value.DistanceMetres!.Value, 40, 50);
    }

    [Fact]
    public void A_punch_a_kilometre_away_is_accepted_but_flagged()
    {
        var punch = PunchRules.Check(Punch(30.2762, -97.7431, 20), Site, Now, Skew);

        Assert.True(punch.Succeeded);
        Assert.True(punch.Value.OutsideGeofence);
    }

    [Fact]
    public void A_poor_fix_whose_accuracy_reaches_the_site_is_not_flagged()
    {
        var punch = PunchRules.Check(Punch(30.2762, -97.7431, 900), Site, Now, Skew);

        Assert.False(punch.Value!.OutsideGeofence);
    }

    [Fact]
    public void A_position_without_accuracy_is_refused_naming_the_field()
    {
        var punch = PunchRules.Check(Punch(30.2676, -97.7431, null), Site, Now, Skew);

        Assert.Contains("accuracyMetres", punch.Problem!.Errors!.Keys);
    }

    [Fact]
    public void A_device_time_in_the_future_beyond_the_skew_is_refused_and_within_it_accepted()
    {
        var late = PunchRules.Check(Punch(30.2676, -97.7431, 10) with { DeviceTime = Now + Skew + TimeSpan.FromSeconds(1) }, Site, Now, Skew);
        var within = PunchRules.Check(Punch(30.2676, -97.7431, 10) with { DeviceTime = Now + Skew }, Site, Now, Skew);

        Assert.Contains("deviceTime", late.Problem!.Errors!.Keys);
        Assert.True(within.Succeeded);
    }

    [Fact]
    public void A_day_old_offline_punch_is_accepted()
    {
        Assert.True(PunchRules.Check(Punch(30.2676, -97.7431, 10) with { DeviceTime = Now.AddDays(-1) }, Site, Now, Skew).Succeeded);
    }

    [Fact]
    public void Uploading_the_same_punches_again_changes_nothing_and_the_day_is_ordered_by_device_time()
    {
        var clockIn = Accepted(PunchKind.ClockIn, 8);
        var clockOut = Accepted(PunchKind.ClockOut, 17);
        var breakStart = Accepted(PunchKind.BreakStart, 12);
        var stored = PunchRules.Merge([], [clockOut, clockIn]);

        var merged = PunchRules.Merge(stored, [breakStart, clockIn, clockOut with { Kind = PunchKind.ClockIn }]);

        Assert.Equal([clockIn, breakStart, clockOut], merged);
    }

    [Fact]
    public void Daily_overtime_is_counted_first_and_weekly_overtime_only_on_the_regular_hours_left()
    {
        var monday = new DateOnly(2026, 12, 7);
        var days = Enumerable.Range(0, 5).Select(i => new WorkedDay(monday.AddDays(i), 10)).Append(new WorkedDay(monday.AddDays(5), 6));

        var totals = OvertimeRules.Apply(days, new OvertimePolicy(DailyHours: 8, WeeklyHours: 40));

        Assert.Equal((40, 16), (totals.RegularHours, totals.OvertimeHours));
        Assert.Equal((0, 6), (totals.Days[^1].RegularHours, totals.Days[^1].OvertimeHours));
    }

    [Fact]
    public void Weeks_start_on_Monday_so_a_new_week_starts_its_count_again()
    {
        var sunday = new DateOnly(2026, 12, 13);
        var days = Enumerable.Range(-6, 8).Select(i => new WorkedDay(sunday.AddDays(i), 6));

        var totals = OvertimeRules.Apply(days, new OvertimePolicy(DailyHours: null, WeeklyHours: 40));

        Assert.Equal((2, 0), (totals.Days[6].OvertimeHours, totals.Days[7].OvertimeHours));
    }

    private static PunchInput Punch(double latitude, double longitude, double? accuracy) =>
        new(Guid.NewGuid(), PunchKind.ClockIn, Now.AddMinutes(-5), latitude, longitude, accuracy);

    private static AcceptedPunch Accepted(PunchKind kind, int hour) =>
        new(Guid.NewGuid(), kind, new DateTimeOffset(2026, 12, 7, hour, 0, 0, TimeSpan.Zero), null, null, null, false);
}
