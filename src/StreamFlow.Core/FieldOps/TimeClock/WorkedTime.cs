namespace StreamFlow.Core.FieldOps.TimeClock;

/// <summary>
/// Turns a technician's punches, in device-time order, into hours worked per local date: each clock-in to the next
/// clock-out, less the breaks inside it, counted on the date the shift began. A shift still open (no clock-out) counts
/// nothing until it is closed; a second clock-in without a clock-out restarts the shift.
/// </summary>
public static class WorkedTime
{
    public static IReadOnlyList<WorkedDay> Days(IEnumerable<AcceptedPunch> punches, TimeZoneInfo zone)
    {
        var hours = new SortedDictionary<DateOnly, double>();
        DateTimeOffset? shiftStart = null;
        DateTimeOffset? breakStart = null;
        var breaks = TimeSpan.Zero;
        foreach (var punch in punches.OrderBy(p => p.DeviceTime).ThenBy(p => p.PunchId))
        {
            switch (punch.Kind)
            {
                case PunchKind.ClockIn:
                    (shiftStart, breakStart, breaks) = (punch.DeviceTime, null, TimeSpan.Zero);
                    break;
                case PunchKind.BreakStart when shiftStart is not null && breakStart is null:
                    breakStart = punch.DeviceTime;
                    break;
                case PunchKind.BreakEnd when breakStart is { } started:
                    breaks += punch.DeviceTime - started;
                    breakStart = null;
                    break;
                case PunchKind.ClockOut when shiftStart is { } start:
                    if (breakStart is { } open)
                    {
                        breaks += punch.DeviceTime - open;
                    }

                    var worked = (punch.DeviceTime - start - breaks).TotalHours;
                    var date = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(start, zone).DateTime);
                    hours[date] = hours.GetValueOrDefault(date) + Math.Max(0, worked);
                    (shiftStart, breakStart, breaks) = (null, null, TimeSpan.Zero);
                    break;
                default:
                    break;
            }
        }

        return [.. hours.Select(h => new WorkedDay(h.Key, Math.Round(h.Value, 2)))];
    }
}
