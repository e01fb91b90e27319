namespace StreamFlow.Core.FieldOps.Dispatch;

/// <summary>
/// The two ways dispatchers assign without a planner, kept to measure <see cref="DispatchPlanner"/> against on the
/// same day and the same hard rules (qualified technicians, home by the end of the working day).
/// </summary>
public static class DispatchBaselines
{
    /// <summary>Whichever technician is free first drives to the nearest visit they are qualified for and still have time for.</summary>
    public static DispatchPlan NearestFirst(DispatchDay day, DispatchOptions options)
    {
        var state = new DispatchPlanner.PlanState(day, options);
        var active = Enumerable.Range(0, day.Technicians.Count).ToHashSet();
        var freeAt = day.Technicians.Select(t => t.WorkStart).ToArray();
        while (active.Count > 0 && state.Unassigned.Count > 0)
        {
            var t = active.MinBy(i => freeAt[i]);
            var route = state.RouteOf(t);
            var candidates = state.Unassigned
                .Where(v => state.IsQualified(t, v) && state.Simulate(t, [.. route, v], allowLate: true).Feasible)
                .OrderBy(v => route.Count == 0 ? state.KilometresFromHome(t, v) : state.KilometresBetween(route[^1], v))
                .ToList();
            if (candidates.Count == 0)
            {
                active.Remove(t);
                continue;
            }

            state.Assign(t, candidates[0]);
            var stops = new List<PlannedStop>();
            state.Simulate(t, state.RouteOf(t), allowLate: true, stops);
            freeAt[t] = stops[^1].Finish;
        }

        return state.ToPlan(explain: false);
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
}
