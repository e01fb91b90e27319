using StreamFlow.Core.FieldOps.TimeClock;

namespace StreamFlow.UnitTests.FieldOps;

public sealed class VisitTimersTests
{
    private static readonly Guid Visit = Guid.NewGuid();
    private static readonly Guid Other = Guid.NewGuid();
    private static readonly Guid Ann = Guid.NewGuid();
    private static readonly Guid Bo = Guid.NewGuid();

    [Fact]
    public void Each_start_to_the_next_stop_counts_per_technician_and_the_technicians_add_up()
    {
        var measured = VisitTimers.Measured(
        [
            // Sent out of order: device time decides.
            Punch(Visit, Ann, PunchKind.VisitEnd, "09:45"),
            Punch(Visit, Ann, PunchKind.VisitStart, "09:00"),
            Punch(Visit, Bo, PunchKind.VisitStart, "09:10"),
            Punch(Visit, Bo, PunchKind.VisitEnd, "09:40"),
            Punch(Visit, Ann, PunchKind.VisitStart, "10:00"),
            Punch(Visit, Ann, PunchKind.VisitEnd, "10:15"),
            Punch(Other, Ann, PunchKind.VisitStart, "11:00"),
            Punch(Other, Ann, PunchKind.VisitEnd, "11:20"),
        ]);

        Assert.Equal(TimeSpan.FromMinutes(45 + 30 + 15), measured[Visit]);
        Assert.Equal(TimeSpan.FromMinutes(20), measured[Other]);
    }

    [Fact]
    public void A_running_timer_counts_nothing_a_second_start_restarts_and_a_stray_stop_is_ignored()
    {
        var measured = VisitTimers.Measured(
        [
            Punch(Visit, Ann, PunchKind.VisitEnd, "08:30"),
            Punch(Visit, Ann, PunchKind.VisitStart, "09:00"),
            Punch(Visit, Ann, PunchKind.VisitStart, "09:20"),
            Punch(Visit, Ann, PunchKind.VisitEnd, "09:30"),
            Punch(Visit, Bo, PunchKind.VisitStart, "09:00"),
        ]);

        Assert.Equal(TimeSpan.FromMinutes(10), Assert.Single(measured).Value);
    }

    private static VisitTimerPunch Punch(Guid visit, Guid technician, PunchKind kind, string time) =>
        new(visit, technician, Guid.NewGuid(), kind, DateTimeOffset.Parse($"2026-11-03T{time}:00Z", System.Globalization.CultureInfo.InvariantCulture));
}
