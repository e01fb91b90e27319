using Google.OrTools.ConstraintSolver;
using Google.Protobuf.WellKnownTypes;
using StreamFlow.Core.FieldOps.Dispatch;

/// <summary>
/// An independent reference for the planner's travel: Google OR-Tools' routing solver (guided local search up to a
/// number of solutions, so the same day gives the same routes however loaded the machine) on exactly the instance the planner gets — each technician starts and ends at their home base inside their
/// working hours, a visit only for technicians with its skills and certifications valid on the day, its service to start
/// inside its window (waiting allowed), straight-line kilometres at the same speed — minimising kilometres alone (no load
/// term). Metres and seconds are integers; travel seconds are rounded up, so every route it returns also keeps the
/// planner's exact times, which <see cref="Check"/> confirms before a figure is printed. A visit may be dropped at a
/// penalty larger than any day's travel, so it serves as many as it can first, as the planner does.
/// Bench only: the product planner does not use it.
/// </summary>
internal static class OrToolsReference
{
    private const long DropPenaltyMetres = 1_000_000_000;

    public sealed record Result(double TravelKm, int Served, int Dropped, IReadOnlyList<IReadOnlyList<int>> Routes);

    /// <param name="start">Routes to start from (visit indices per technician, e.g. the planner's plan) instead of
    /// OR-Tools' own first solution: then the figure says whether guided local search can still improve on them.</param>
    public static Result Solve(DispatchDay day, DispatchOptions options, long solutionLimit, TimeSpan timeLimit, IReadOnlyList<IReadOnlyList<int>>? start = null)
    {
        var visits = day.Visits.Count;
        var technicians = day.Technicians.Count;
        // Nodes: the visits, then one home node per technician (start and end of their route).
        var places = day.Visits.Select(v => v.Location).Concat(day.Technicians.Select(t => t.HomeBase)).ToArray();
        var metres = new long[places.Length][];
        var seconds = new long[places.Length][];
        for (var from = 0; from < places.Length; from++)
        {
            metres[from] = new long[places.Length];
            seconds[from] = new long[places.Length];
            var service = from < visits ? (long)day.Visits[from].Duration.TotalSeconds : 0;
            for (var to = 0; to < places.Length; to++)
            {
                var leg = places[from].KilometresTo(places[to]);
                metres[from][to] = (long)Math.Round(leg * 1000);
                seconds[from][to] = service + (long)Math.Ceiling(options.TravelTime(leg).TotalSeconds);
            }
        }

        var homes = Enumerable.Range(visits, technicians).ToArray();
        using var manager = new RoutingIndexManager(places.Length, technicians, homes, homes);
        using var routing = new RoutingModel(manager);
        routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(metres));
        const long Day = 24 * 3600;
        routing.AddDimension(routing.RegisterTransitMatrix(seconds), Day, Day, false, "Time");
        var time = routing.GetDimensionOrDie("Time");
        for (var t = 0; t < technicians; t++)
        {
            var (opens, closes) = ((long)day.Technicians[t].WorkStart.TotalSeconds, (long)day.Technicians[t].WorkEnd.TotalSeconds);
            time.CumulVar(routing.Start(t)).SetRange(opens, closes);
            time.CumulVar(routing.End(t)).SetRange(opens, closes);
        }

        for (var v = 0; v < visits; v++)
        {
            var index = manager.NodeToIndex(v);
            var visit = day.Visits[v];
            time.CumulVar(index).SetRange((long)visit.WindowStart.TotalSeconds, (long)visit.WindowEnd.TotalSeconds);
            for (var t = 0; t < technicians; t++)
            {
                if (!Qualifies(day.Technicians[t], visit, day.Date))
                {
                    routing.VehicleVar(index).RemoveValue(t);
                }
            }

            routing.AddDisjunction([index], DropPenaltyMetres);
        }

        var parameters = operations_research_constraint_solver.DefaultRoutingSearchParameters();
        parameters.FirstSolutionStrategy = FirstSolutionStrategy.Types.Value.PathCheapestArc;
        parameters.LocalSearchMetaheuristic = LocalSearchMetaheuristic.Types.Value.GuidedLocalSearch;
        parameters.SolutionLimit = solutionLimit;
        parameters.TimeLimit = Duration.FromTimeSpan(timeLimit);
        routing.CloseModelWithParameters(parameters);
        var first = start is null ? null : routing.ReadAssignmentFromRoutes([.. start.Select(r => r.Select(v => manager.NodeToIndex(v)).ToArray())], true)
            ?? throw new InvalidOperationException("OR-Tools did not accept the routes to start from.");
        var solution = (first is null ? routing.SolveWithParameters(parameters) : routing.SolveFromAssignmentWithParameters(first, parameters))
            ?? throw new InvalidOperationException($"OR-Tools found no solution (status {routing.GetStatus()}).");

        var routes = new List<IReadOnlyList<int>>();
        for (var t = 0; t < technicians; t++)
        {
            var route = new List<int>();
            for (var index = solution.Value(routing.NextVar(routing.Start(t))); !routing.IsEnd(index); index = solution.Value(routing.NextVar(index)))
            {
                route.Add(manager.IndexToNode(index));
            }

            routes.Add(route);
        }

        var served = routes.Sum(r => r.Count);
        return new Result(Check(day, options, routes), served, visits - served, routes);
    }

    /// <summary>
    /// Drives the routes with the planner's own rules and exact times (qualified, every visit started inside its
    /// window, home by the end of the working day) and returns their kilometres; throws on any broken rule.
    /// </summary>
    public static double Check(DispatchDay day, DispatchOptions options, IReadOnlyList<IReadOnlyList<int>> routes)
    {
        double total = 0;
        for (var t = 0; t < routes.Count; t++)
        {
            var technician = day.Technicians[t];
            var (clock, at) = (technician.WorkStart, technician.HomeBase);
            foreach (var v in routes[t])
            {
                var visit = day.Visits[v];
                if (!Qualifies(technician, visit, day.Date))
                {
                    throw new InvalidOperationException($"{technician.Name} is not qualified for visit {v}.");
                }

                var km = at.KilometresTo(visit.Location);
                var arrival = clock + options.TravelTime(km);
                var start = arrival < visit.WindowStart ? visit.WindowStart : arrival;
                if (start > visit.WindowEnd)
                {
                    throw new InvalidOperationException($"{technician.Name} starts visit {v} at {start} after its window ends at {visit.WindowEnd}.");
                }

                (clock, at, total) = (start + visit.Duration, visit.Location, total + km);
            }

            if (routes[t].Count > 0)
            {
                var back = at.KilometresTo(technician.HomeBase);
                total += back;
                if (clock + options.TravelTime(back) > technician.WorkEnd)
                {
                    throw new InvalidOperationException($"{technician.Name} is home after the working day ends.");
                }
            }
        }

        if (routes.SelectMany(r => r).GroupBy(v => v).Any(g => g.Count() > 1))
        {
            throw new InvalidOperationException("A visit is on two routes.");
        }

        return total;
    }

    /// <summary>The plan's routes as visit indices of <paramref name="day"/>, in the order of its technicians.</summary>
    public static IReadOnlyList<IReadOnlyList<int>> RoutesOf(DispatchDay day, DispatchPlan plan)
    {
        var index = day.Visits.Select((v, i) => (v.Id, i)).ToDictionary(p => p.Id, p => p.i);
        return [.. day.Technicians.Select(t => (IReadOnlyList<int>)[.. plan.Routes.Single(r => r.TechnicianId == t.Id).Stops.Select(s => index[s.VisitId])])];
    }

    private static bool Qualifies(DispatchTechnician technician, DispatchVisit visit, DateOnly date) =>
        visit.RequiredSkills.All(technician.Skills.Contains)
        && visit.RequiredCertifications.All(c => technician.Certifications.TryGetValue(c, out var expires) && expires >= date);
}
