namespace StreamFlow.Core.FieldOps.TimeClock;

/// <summary>A visit timer punch: which technician started or stopped the clock of a visit, and when (device time).</summary>
public sealed record VisitTimerPunch(Guid VisitId, Guid TechnicianId, Guid PunchId, PunchKind Kind, DateTimeOffset DeviceTime);

/// <summary>
/// The time measured on visits by their timers: per visit and technician, each visitStart to the next visitEnd, in
/// device-time order, summed over the technicians. A timer still running counts nothing until it is stopped; a second
/// start without a stop restarts it; a stop without a start is ignored.
/// </summary>
public static class VisitTimers
{
    public static IReadOnlyDictionary<Guid, TimeSpan> Measured(IEnumerable<VisitTimerPunch> punches) =>
        PerTechnician(punches).GroupBy(m => m.Key.VisitId).ToDictionary(g => g.Key, g => g.Aggregate(TimeSpan.Zero, (sum, m) => sum + m.Value));

    /// <summary>The same per visit and technician.</summary>
    public static IReadOnlyDictionary<(Guid VisitId, Guid TechnicianId), TimeSpan> PerTechnician(IEnumerable<VisitTimerPunch> punches)
    {
        var measured = new Dictionary<(Guid VisitId, Guid TechnicianId), TimeSpan>();
        foreach (var timer in punches.GroupBy(p => (p.VisitId, p.TechnicianId)))
        {
            DateTimeOffset? started = null;
            foreach (var punch in timer.OrderBy(p => p.DeviceTime).ThenBy(p => p.PunchId))
            {
                if (punch.Kind == PunchKind.VisitStart)
                {
                    started = punch.DeviceTime;
                }
                else if (punch.Kind == PunchKind.VisitEnd && started is { } start)
                {
                    measured[timer.Key] = measured.GetValueOrDefault(timer.Key) + (punch.DeviceTime - start);
                    started = null;
                }
            }
        }

        return measured;
    }
}
