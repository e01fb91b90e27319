using StreamFlow.Core.FieldOps.TimeClock;
using StreamFlow.Core.Settings;

namespace StreamFlow.Core.FieldOps.Reporting;

/// <summary>
/// A technician's field work in a period. <see cref="VisitHours"/> counts each of their visits once: the time the
/// technician's visit timers measured on it when they measured any, else the booked duration. <see cref="WorkingHours"/>:
/// the technician's working window on every day the business is open (business hours, holidays) in the period, less
/// time off. <see cref="Utilisation"/> = VisitHours / WorkingHours (null without working hours).
/// </summary>
public sealed record TechnicianFieldWork(
    Guid TechnicianId, string Name, int Visits, double BookedHours, double MeasuredHours, double VisitHours, double WorkingHours, double? Utilisation,
    int Arrivals, int OnTimeArrivals, double? OnTimeArrivalRate);

/// <summary>
/// Arrivals in a period: a visit's arrival is the earlier of the moment it moved to on site and its first visitStart
/// punch; on time when that is inside its arrival window (from its start to its end, both included).
/// </summary>
public sealed record FieldWorkFigures(int Arrivals, int OnTimeArrivals, double? OnTimeArrivalRate, IReadOnlyList<TechnicianFieldWork> Technicians);

/// <summary>One technician on one visit of the period.</summary>
public sealed record FieldWorkVisit(Guid VisitId, Guid TechnicianId, int DurationMinutes, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, DateTimeOffset? ArrivedAt);

public sealed record FieldWorkTechnician(Guid Id, string Name, int WorkStartMinute, int WorkEndMinute);

public sealed record FieldWorkTimeOff(Guid TechnicianId, DateTimeOffset StartsAt, DateTimeOffset EndsAt);

/// <summary>Technician utilisation and on-time arrival for the owner's report (pure: the rows come from <see cref="FieldWorkStore"/>).</summary>
public static class FieldWorkCalculator
{
    /// <summary>The figures of the period [start, end) from the tenant's rows (in the caller's tenant transaction).</summary>
    public static Task<FieldWorkFigures> ReadAsync(Database.DbTransactionScope scope, DateTimeOffset start, DateTimeOffset end, TimeZoneInfo zone) =>
        FieldWorkStore.ReadAsync(scope, start, end, zone);

    public static FieldWorkFigures Compute(
        DateTimeOffset start, DateTimeOffset end, TimeZoneInfo zone, WeeklyHours businessHours, IReadOnlyCollection<DateOnly> holidays,
        IReadOnlyList<FieldWorkTechnician> technicians, IReadOnlyList<FieldWorkVisit> visits, IReadOnlyList<VisitTimerPunch> timers,
        IReadOnlyList<FieldWorkTimeOff> timeOff)
    {
        var measured = VisitTimers.PerTechnician(timers);
        var days = OpenDays(start, end, zone, businessHours, holidays);
        var rows = new List<TechnicianFieldWork>();
        foreach (var technician in technicians.OrderBy(t => t.Name, StringComparer.Ordinal).ThenBy(t => t.Id))
        {
            var own = visits.Where(v => v.TechnicianId == technician.Id).ToList();
            var booked = own.Sum(v => v.DurationMinutes / 60.0);
            var timed = own.Sum(v => measured.GetValueOrDefault((v.VisitId, technician.Id)).TotalHours);
            var worked = own.Sum(v => measured.GetValueOrDefault((v.VisitId, technician.Id)) is { } m && m > TimeSpan.Zero ? m.TotalHours : v.DurationMinutes / 60.0);
            var working = WorkingHours(technician, days, zone, start, end, [.. timeOff.Where(t => t.TechnicianId == technician.Id)]);
            var arrivals = own.Where(v => v.ArrivedAt is not null).ToList();
            var onTime = arrivals.Count(OnTime);
            rows.Add(new TechnicianFieldWork(
                technician.Id, technician.Name, own.Count, Math.Round(booked, 2), Math.Round(timed, 2), Math.Round(worked, 2), Math.Round(working, 2),
                working > 0 ? Math.Round(worked / working, 3) : null, arrivals.Count, onTime, Rate(onTime, arrivals.Count)));
        }

        var byVisit = visits.GroupBy(v => v.VisitId).Select(g => g.First()).Where(v => v.ArrivedAt is not null).ToList();
        var onTimeVisits = byVisit.Count(OnTime);
        return new FieldWorkFigures(byVisit.Count, onTimeVisits, Rate(onTimeVisits, byVisit.Count), rows);
    }

    private static bool OnTime(FieldWorkVisit visit) => visit.ArrivedAt >= visit.WindowStart && visit.ArrivedAt <= visit.WindowEnd;

    private static double? Rate(int part, int whole) => whole == 0 ? null : Math.Round((double)part / whole, 3);

    // The local dates of the period on which the business is open (a weekday with hours, not a holiday).
    private static List<DateOnly> OpenDays(DateTimeOffset start, DateTimeOffset end, TimeZoneInfo zone, WeeklyHours hours, IReadOnlyCollection<DateOnly> holidays)
    {
        var days = new List<DateOnly>();
        var first = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(start, zone).DateTime);
        var last = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(end.AddTicks(-1), zone).DateTime);
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            if (hours.For(day.DayOfWeek) is not null && !holidays.Contains(day))
            {
                days.Add(day);
            }
        }

        return days;
    }

    private static double WorkingHours(
        FieldWorkTechnician technician, List<DateOnly> days, TimeZoneInfo zone, DateTimeOffset start, DateTimeOffset end, List<FieldWorkTimeOff> timeOff)
    {
        var hours = 0.0;
        foreach (var day in days)
        {
            var from = Max(BusinessCalendar.ToInstant(zone, day, TimeOnly.MinValue.AddMinutes(technician.WorkStartMinute)), start);
            var to = Min(technician.WorkEndMinute >= 1440
                ? BusinessCalendar.ToInstant(zone, day.AddDays(1), TimeOnly.MinValue)
                : BusinessCalendar.ToInstant(zone, day, TimeOnly.MinValue.AddMinutes(technician.WorkEndMinute)), end);
            if (to <= from)
            {
                continue;
            }

            var off = timeOff.Sum(t => Math.Max(0, (Min(t.EndsAt, to) - Max(t.StartsAt, from)).TotalHours));
            hours += Math.Max(0, (to - from).TotalHours - off);
        }

        return hours;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
