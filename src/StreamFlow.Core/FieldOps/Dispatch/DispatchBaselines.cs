namespace StreamFlow.Core.FieldOps.Dispatch;

/// <summary>
/// The two ways dispatchers assign without a planner, kept to measure <see cref="DispatchPlanner"/> against on the
/// same day and the same hard rules (qualified technicians, home by the end of the working day).
/// </summary>
public static class DispatchBaselines
{
    /// <summary>
    /// Whichever technician is free first drives to the nearest visit they are qualified for and still have time for,
    /// blind to windows when choosing: it may arrive late, or hours early and wait (see <see cref="NearestFeasibleFirst"/>).
    /// </summary>
    public static DispatchPlan NearestFirst(DispatchDay day, DispatchOptions options) =>
        FreeTechnicianFirst(day, options, (state, t, route) => state.Unassigned
            .Where(v => state.IsQualified(t, v) && state.Simulate(t, [.. route, v], allowLate: true).Feasible)
            .OrderBy(v => route.Count == 0 ? state.KilometresFromHome(t, v) : state.KilometresBetween(route[^1], v))
            .Select(v => (int?)v)
            .FirstOrDefault());

    /// <summary>
    /// Nearest-first as a dispatcher runs it: whichever technician is free first goes to the nearest qualified visit
    /// they reach inside its window, early by at most <paramref name="longestWait"/> (default 15 minutes); when there is
    /// none, to the visit they can start soonest inside its window (nearest on a tie) rather than idling for a far-off
    /// one; only when no window can be met any more, to the nearest visit, late. Home by the end of the working day.
    /// </summary>
    public static DispatchPlan NearestFeasibleFirst(DispatchDay day, DispatchOptions options, TimeSpan? longestWait = null)
    {
        var wait = longestWait ?? TimeSpan.FromMinutes(15);
        return FreeTechnicianFirst(day, options, (state, t, route) =>
        {
            var candidates = new List<(int Visit, double Km, TimeSpan Start, bool Ready, bool InWindow)>();
            foreach (var v in state.Unassigned.Order())
            {
                var stops = new List<PlannedStop>();
                if (!state.IsQualified(t, v) || !state.Simulate(t, [.. route, v], allowLate: true, stops).Feasible)
                {
                    continue;
                }

                var stop = stops[^1];
                var km = route.Count == 0 ? state.KilometresFromHome(t, v) : state.KilometresBetween(route[^1], v);
                candidates.Add((v, km, stop.Start, stop.InWindow && stop.Start - stop.Arrival <= wait, stop.InWindow));
            }

            if (candidates.Count == 0)
            {
                return null;
            }

            return candidates.Where(c => c.Ready).OrderBy(c => c.Km).Select(c => (int?)c.Visit).FirstOrDefault()
                ?? candidates.Where(c => c.InWindow).OrderBy(c => c.Start).ThenBy(c => c.Km).Select(c => (int?)c.Visit).FirstOrDefault()
                ?? candidates.MinBy(c => c.Km).Visit;
        });
    }

    /// <summary>Visits in window order, dealt to qualified technicians in turn; a technician out of time is skipped.</summary>
    public static DispatchPlan RoundRobin(DispatchDay day, DispatchOptions options)
    {
        var state = new DispatchPlanner.PlanState(day, options);
        var order = Enumerable.Range(0, day.Visits.Count).OrderBy(v => day.Visits[v].WindowStart).ThenBy(v => day.Visits[v].WindowEnd).ToList();
        var next = 0;
        foreach (var v in order)
        {
            for (var k = 0; k < day.Technicians.Count; k++)
            {
                var t = (next + k) % day.Technicians.Count;
                if (state.IsQualified(t, v) && state.Simulate(t, [.. state.RouteOf(t), v], allowLate: true).Feasible)
                {
                    state.Assign(t, v);
                    next = t + 1;
                    break;
                }
            }
        }

        return state.ToPlan(explain: false);
    }

    /// <summary>
    /// The loop both nearest-first dispatchers share: the technician free first takes the visit <paramref name="next"/>
    /// picks for them (given their route so far), or stops for the day when it picks none.
    /// </summary>
    private static DispatchPlan FreeTechnicianFirst(
        DispatchDay day, DispatchOptions options, Func<DispatchPlanner.PlanState, int, IReadOnlyList<int>, int?> next)
    {
        var state = new DispatchPlanner.PlanState(day, options);
        var active = Enumerable.Range(0, day.Technicians.Count).ToHashSet();
        var freeAt = day.Technicians.Select(t => t.WorkStart).ToArray();
        while (active.Count > 0 && state.Unassigned.Count > 0)
        {
            var t = active.MinBy(i => freeAt[i]);
            if (next(state, t, state.RouteOf(t)) is not { } visit)
            {
                active.Remove(t);
                continue;
            }

            state.Assign(t, visit);
            var placed = new List<PlannedStop>();
            state.Simulate(t, state.RouteOf(t), allowLate: true, placed);
            freeAt[t] = placed[^1].Finish;
        }

        return state.ToPlan(explain: false);
    }
}
