namespace StreamFlow.Core.FieldOps.TimeClock;

/// <summary>A tenant's overtime thresholds: hours beyond either count as overtime (null: no such rule).</summary>
public sealed record OvertimePolicy(double? DailyHours = 8, double? WeeklyHours = 40);

/// <summary>Hours worked on one local date of the pay period.</summary>
public sealed record WorkedDay(DateOnly Date, double Hours);

public sealed record TimesheetDay(DateOnly Date, double WorkedHours, double RegularHours, double OvertimeHours);

public sealed record TimesheetTotals(IReadOnlyList<TimesheetDay> Days, double RegularHours, double OvertimeHours);

/// <summary>
/// Splits worked hours into regular and overtime. Daily overtime is taken first; the weekly threshold then counts only
/// regular hours, so no hour is overtime twice (the FLSA/California way of combining both). Weeks start on Monday.
/// </summary>
public static class OvertimeRules
{
    public static TimesheetTotals Apply(IEnumerable<WorkedDay> days, OvertimePolicy policy)
    {
        var result = new List<TimesheetDay>();
        foreach (var week in days.OrderBy(d => d.Date).GroupBy(d => d.Date.AddDays(-(((int)d.Date.DayOfWeek + 6) % 7))))
        {
            var regularThisWeek = 0.0;
            foreach (var day in week)
            {
                var overtime = policy.DailyHours is { } daily ? Math.Max(0, day.Hours - daily) : 0;
                var regular = day.Hours - overtime;
                if (policy.WeeklyHours is { } weekly && regularThisWeek + regular > weekly)
                {
                    var excess = regularThisWeek + regular - weekly;
                    regular -= excess;
                    overtime += excess;
                }

                regularThisWeek += regular;
                result.Add(new TimesheetDay(day.Date, day.Hours, Math.Round(regular, 2), Math.Round(overtime, 2)));
            }
        }

        return new TimesheetTotals(result, Math.Round(result.Sum(d => d.RegularHours), 2), Math.Round(result.Sum(d => d.OvertimeHours), 2));
    }
}
