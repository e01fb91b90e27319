using System.Globalization;
using StreamFlow.Core.FieldOps.Reporting;
using StreamFlow.Core.FieldOps.TimeClock;
using StreamFlow.Core.Settings;

namespace StreamFlow.UnitTests.FieldOps;

public sealed class FieldWorkCalculatorTests
{
    private static readonly TimeZoneInfo Chicago = TimeZoneInfo.FindSystemTimeZoneById("America/Chicago");
    private static readonly Guid Ann = Guid.NewGuid();

    [Fact]
    public void A_week_counts_working_hours_on_open_days_only_less_holidays_and_time_off()
    {
        // Monday 23 to Sunday 29 November 2026 in Chicago (UTC-6): open Monday to Friday, Thursday 26 a holiday, so four
        // days of 08:00-16:00 (8 h) = 32 h, less two hours of time off on Tuesday = 30 h. One 6-hour visit: 20 %.
        var start = At("2026-11-23T06:00Z");
        var visit = new FieldWorkVisit(Guid.NewGuid(), Ann, 360, At("2026-11-24T15:00Z"), At("2026-11-24T16:00Z"), At("2026-11-24T16:00Z"));

        var figures = FieldWorkCalculator.Compute(start, start.AddDays(7), Chicago, WeeklyHours.Default, [new DateOnly(2026, 11, 26)],
            [new FieldWorkTechnician(Ann, "Ann", 8 * 60, 16 * 60)], [visit], [],
            [new FieldWorkTimeOff(Ann, At("2026-11-24T20:00Z"), At("2026-11-24T22:00Z"))]);

        var ann = Assert.Single(figures.Technicians);
        Assert.Equal(30, ann.WorkingHours);
        Assert.Equal(6, ann.VisitHours);
        Assert.Equal(0.2, ann.Utilisation);
        Assert.Equal((1, 1, 1.0), (figures.Arrivals, figures.OnTimeArrivals, figures.OnTimeArrivalRate));
    }

    [Fact]
    public void Measured_time_replaces_the_booked_duration_of_a_timed_visit_and_an_arrival_outside_the_window_is_not_on_time()
    {
        var start = At("2026-11-24T06:00Z");
        var timed = new FieldWorkVisit(Guid.NewGuid(), Ann, 120, At("2026-11-24T15:00Z"), At("2026-11-24T16:00Z"), At("2026-11-24T15:30Z"));
        var late = new FieldWorkVisit(Guid.NewGuid(), Ann, 60, At("2026-11-24T19:00Z"), At("2026-11-24T20:00Z"), At("2026-11-24T20:01Z"));
        var early = new FieldWorkVisit(Guid.NewGuid(), Ann, 60, At("2026-11-24T21:00Z"), At("2026-11-24T22:00Z"), At("2026-11-24T20:30Z"));
        var unknown = new FieldWorkVisit(Guid.NewGuid(), Ann, 30, At("2026-11-24T22:00Z"), At("2026-11-24T23:00Z"), null);
        VisitTimerPunch Timer(PunchKind kind, string at) => new(timed.VisitId, Ann, Guid.NewGuid(), kind, At(at));

        var figures = FieldWorkCalculator.Compute(start, start.AddDays(1), Chicago, WeeklyHours.Default, [],
            [new FieldWorkTechnician(Ann, "Ann", 8 * 60, 17 * 60)], [timed, late, early, unknown],
            [Timer(PunchKind.VisitStart, "2026-11-24T15:30Z"), Timer(PunchKind.VisitEnd, "2026-11-24T17:00Z")], []);

        var ann = Assert.Single(figures.Technicians);
        // Booked 2 + 1 + 1 + 0.5 = 4.5 h; measured 1.5 h on the timed visit replaces its 2 h: 4 h of 9 working hours.
        Assert.Equal((4, 4.5, 1.5, 4.0, 9.0), (ann.Visits, ann.BookedHours, ann.MeasuredHours, ann.VisitHours, ann.WorkingHours));
        Assert.Equal(0.444, ann.Utilisation);
        Assert.Equal((3, 1, 0.333), (ann.Arrivals, ann.OnTimeArrivals, ann.OnTimeArrivalRate));
    }

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
}
