using Dapper;
using StreamFlow.Core.Database;
using StreamFlow.Core.FieldOps.TimeClock;
using StreamFlow.Core.Settings;

namespace StreamFlow.Core.FieldOps.Reporting;

/// <summary>
/// The rows of technician utilisation and on-time arrival for a period (the owner's report reads them through
/// <see cref="ReadAsync"/>). A visit is in the period when its start (scheduled, else its window's) is; cancelled visits are not.
/// </summary>
internal static class FieldWorkStore
{
    // Each technician on each live visit of the period; the arrival is the first on-site status or visitStart punch.
    private const string VisitsSql = """
        SELECT v.id AS VisitId, a.technician_id AS TechnicianId, v.duration_minutes AS DurationMinutes, v.window_start AS WindowStart,
               v.window_end AS WindowEnd,
               least(v.arrived_at, (SELECT min(p.device_time) FROM time_punches p WHERE p.visit_id = v.id AND p.kind = 'visitStart')) AS ArrivedAt
        FROM visits v JOIN visit_assignments a ON a.visit_id = v.id
        WHERE v.status <> 'cancelled' AND coalesce(v.scheduled_start, v.window_start) >= @Start AND coalesce(v.scheduled_start, v.window_start) < @End
        ORDER BY v.id, a.technician_id
        """;

    // Active technicians, and retired ones who still had visits in the period.
    private const string TechniciansSql = """
        SELECT t.id AS Id, t.name AS Name, t.work_start_minute AS WorkStartMinute, t.work_end_minute AS WorkEndMinute
        FROM technicians t
        WHERE t.active OR t.id = ANY (@WithVisits)
        ORDER BY t.name, t.id
        """;

    private const string TimeOffSql = """
        SELECT technician_id AS TechnicianId, starts_at AS StartsAt, ends_at AS EndsAt
        FROM technician_time_off WHERE starts_at < @End AND ends_at > @Start
        """;

    public static async Task<FieldWorkFigures> ReadAsync(DbTransactionScope scope, DateTimeOffset start, DateTimeOffset end, TimeZoneInfo zone)
    {
        var visits = (await scope.Connection.QueryAsync<VisitRow>(scope.Command(VisitsSql, new { Start = start, End = end })))
            .Select(v => new FieldWorkVisit(v.VisitId, v.TechnicianId, v.DurationMinutes, v.WindowStart, v.WindowEnd, v.ArrivedAt)).ToList();
        var technicians = (await scope.Connection.QueryAsync<TechnicianRow>(scope.Command(TechniciansSql, new
            {
                WithVisits = visits.Select(v => v.TechnicianId).Distinct().ToArray(),
            })))
            .Select(t => new FieldWorkTechnician(t.Id, t.Name, t.WorkStartMinute, t.WorkEndMinute)).ToList();
        var timeOff = (await scope.Connection.QueryAsync<TimeOffRow>(scope.Command(TimeOffSql, new { Start = start, End = end })))
            .Select(t => new FieldWorkTimeOff(t.TechnicianId, t.StartsAt, t.EndsAt)).ToList();
        var timers = await TimeClockStore.VisitTimersAsync(scope, [.. visits.Select(v => v.VisitId).Distinct()]);
        var settings = await TenantSettingsService.ReadAsync(scope);
        return FieldWorkCalculator.Compute(start, end, zone, settings.BusinessHours, [.. settings.Holidays.Select(h => h.Date)], technicians, visits, timers, timeOff);
    }

    internal sealed record VisitRow
    {
        public Guid VisitId { get; init; }

        public Guid TechnicianId { get; init; }

        public int DurationMinutes { get; init; }

        public DateTimeOffset WindowStart { get; init; }

        public DateTimeOffset WindowEnd { get; init; }

        public DateTimeOffset? ArrivedAt { get; init; }
    }

    internal sealed record TechnicianRow
    {
        public Guid Id { get; init; }

        public string Name { get; init; } = "";

        public int WorkStartMinute { get; init; }

        public int WorkEndMinute { get; init; }
    }

    internal sealed record TimeOffRow
    {
        public Guid TechnicianId { get; init; }

        public DateTimeOffset StartsAt { get; init; }

        public DateTimeOffset EndsAt { get; init; }
    }
}
