using StreamFlow.Core.FieldOps.TimeClock;

namespace StreamFlow.UnitTests.FieldOps;

public sealed class WorkedTimeTests
{
    private static readonly TimeZoneInfo Chicago = TimeZoneInfo.FindSystemTimeZoneById("America/Chicago");

    [Fact]
    public void A_shift_counts_clock_in_to_clock_out_less_its_breaks()
    {
        var days = WorkedTime.Days([At("2026-11-02T14:00Z", PunchKind.ClockIn), At("2026-11-02T18:00Z", PunchKind.BreakStart),
            At("2026-11-02T18:45Z", PunchKind.BreakEnd), At("2026-11-02T23:00Z", PunchKind.ClockOut)], TimeZoneInfo.Utc);

        Assert.Equal([new WorkedDay(new DateOnly(2026, 11, 2), 8.25)], days);
    }

    [Fact]
    public void Punches_uploaded_out_of_order_are_read_in_device_time_order()
    {
        var days = WorkedTime.Days([At("2026-11-02T17:00Z", PunchKind.ClockOut), At("2026-11-02T09:00Z", PunchKind.ClockIn)], TimeZoneInfo.Utc);

        Assert.Equal(8, Assert.Single(days).Hours);
    }

    [Fact]
    public void A_night_shift_counts_on_the_local_date_it_began()
    {
        var days = WorkedTime.Days([At("2026-11-03T03:00Z", PunchKind.ClockIn), At("2026-11-03T09:00Z", PunchKind.ClockOut)], Chicago);

        Assert.Equal(new DateOnly(2026, 11, 2), Assert.Single(days).Date);
    }

    [Fact]
    public void A_shift_without_a_clock_out_counts_nothing_yet()
    {
        var days = WorkedTime.Days([At("2026-11-02T09:00Z", PunchKind.ClockIn), At("2026-11-02T12:00Z", PunchKind.BreakStart)], TimeZoneInfo.Utc);

        Assert.Empty(days);
    }

    private static AcceptedPunch At(string time, PunchKind kind) =>
        new(Guid.NewGuid(), kind, DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture), null, null, null, false);
}
