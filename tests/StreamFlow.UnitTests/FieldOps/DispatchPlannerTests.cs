using StreamFlow.Core.FieldOps.Dispatch;

namespace StreamFlow.UnitTests.FieldOps;

public sealed class DispatchPlannerTests
{
    private static readonly DateOnly Day = new(2026, 12, 7);
    private static readonly GeoPoint Downtown = new(30.2672, -97.7431);
    private static readonly DispatchOptions Options = new();

    [Fact]
    public void Haversine_distance_from_Austin_to_Dallas_is_about_293_km()
    {
        var km = Downtown.KilometresTo(new GeoPoint(32.7767, -96.7970));

        Assert.InRange(km, 290, 296);
    }

    [Fact]
    public void A_visit_needing_a_skill_nobody_has_is_unassignable_and_says_which_skill()
    {
        var day = new DispatchDay(Day, [Technician("Ann", Downtown, "plumbing")], [Visit(Downtown, 8, 17, "roofing")]);

        var plan = DispatchPlanner.Plan(day, Options);

        var unassigned = Assert.Single(plan.Unassigned);
        Assert.Contains("roofing", unassigned.Reason, StringComparison.Ordinal);
        Assert.Empty(plan.Routes.SelectMany(r => r.Stops));
    }

    [Fact]
    public void An_expired_certification_does_not_count_even_for_the_nearest_technician()
    {
        var near = Technician("Near", Downtown, "hvac") with { Certifications = new Dictionary<string, DateOnly> { ["epa-608"] = Day.AddDays(-1) } };
        var far = Technician("Far", Offset(Downtown, 0.15), "hvac") with { Certifications = new Dictionary<string, DateOnly> { ["epa-608"] = Day } };
        var visit = Visit(Downtown, 8, 17, "hvac") with { RequiredCertifications = ["epa-608"] };

        var plan = DispatchPlanner.Plan(new DispatchDay(Day, [near, far], [visit]), Options);

        Assert.Equal(far.Id, plan.TechnicianOf(visit.Id));
    }

    [Fact]
    public void Visits_are_ordered_by_their_windows_even_when_the_other_order_drives_less()
    {
        var technician = Technician("Ann", Downtown, "hvac");
        var afternoonNearby = Visit(Offset(Downtown, 0.01), 13, 15, "hvac");
        var morningFarther = Visit(Offset(Downtown, 0.08), 8, 10, "hvac");

        var plan = DispatchPlanner.Plan(new DispatchDay(Day, [technician], [afternoonNearby, morningFarther]), Options);

        var stops = plan.Routes.Single().Stops;
        Assert.Equal([morningFarther.Id, afternoonNearby.Id], stops.Select(s => s.VisitId));
        Assert.All(stops, stop => Assert.True(stop.InWindow));
    }

    [Fact]
    public void No_route_ends_after_its_technicians_working_day_and_every_visit_goes_to_a_qualified_technician()
    {
        var day = Generated(seed: 7, technicians: 6, visits: 60);

        var plan = DispatchPlanner.Plan(day, Options);

        foreach (var route in plan.Routes)
        {
            var technician = day.Technicians.Single(t => t.Id == route.TechnicianId);
            Assert.True(route.ReturnHome <= technician.WorkEnd, $"{technician.Name} is home at {route.ReturnHome}");
            Assert.All(route.Stops, stop => Assert.Subset(
                technician.Skills.ToHashSet(), day.Visits.Single(v => v.Id == stop.VisitId).RequiredSkills.ToHashSet()));
        }

        Assert.Equal(60, plan.Routes.Sum(r => r.Stops.Count) + plan.Unassigned.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void The_planner_keeps_more_visits_in_their_windows_than_nearest_first_or_round_robin(int seed)
    {
        var day = Generated(seed, technicians: 10, visits: 80);

        var plan = DispatchPlanner.Plan(day, Options);
        var nearest = DispatchBaselines.NearestFirst(day, Options);
        var roundRobin = DispatchBaselines.RoundRobin(day, Options);

        Assert.True(plan.VisitsInWindow > nearest.VisitsInWindow, $"planner {plan.VisitsInWindow}, nearest-first {nearest.VisitsInWindow}");
        Assert.True(plan.VisitsInWindow > roundRobin.VisitsInWindow, $"planner {plan.VisitsInWindow}, round-robin {roundRobin.VisitsInWindow}");
        Assert.True(plan.TotalTravelKm < roundRobin.TotalTravelKm);
    }

    [Fact]
    public void Re_planning_after_a_cancellation_drops_that_visit_and_keeps_every_other_one_placed()
    {
        var day = Generated(seed: 4, technicians: 5, visits: 30);
        var plan = DispatchPlanner.Plan(day, Options);
        var cancelled = plan.Routes.First(r => r.Stops.Count > 0).Stops[0].VisitId;
        var placed = plan.Routes.SelectMany(r => r.Stops).Select(s => s.VisitId).Where(id => id != cancelled).ToHashSet();

        var replanned = DispatchPlanner.Replan(day with { Visits = [.. day.Visits.Where(v => v.Id != cancelled)] }, plan, Options);

        Assert.Null(replanned.TechnicianOf(cancelled));
        Assert.Superset(placed, replanned.Routes.SelectMany(r => r.Stops).Select(s => s.VisitId).ToHashSet());
    }

    [Fact]
    public void Each_suggestion_is_explained_with_the_runner_up_and_its_extra_distance()
    {
        var near = Technician("Near", Downtown, "hvac");
        var far = Technician("Far", Offset(Downtown, 0.2), "hvac");
        var visit = Visit(Offset(Downtown, 0.01), 9, 12, "hvac");

        var plan = DispatchPlanner.Plan(new DispatchDay(Day, [near, far], [visit]), Options);

        var explanation = Assert.Single(plan.Explanations);
        Assert.Equal((near.Id, far.Id), (explanation.TechnicianId, explanation.RunnerUpTechnicianId));
        Assert.True(explanation.RunnerUpAddedKm > explanation.AddedKm);
        Assert.Contains("the next best, Far, would add", explanation.Reason, StringComparison.Ordinal);
        Assert.Contains("inside the window 09:00–12:00", explanation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_technician_off_for_the_morning_gets_no_morning_visit_and_their_afternoon_starts_after_the_time_off()
    {
        var off = Technician("Off", Downtown, "hvac") with { Unavailable = [new Unavailability(TimeSpan.Zero, TimeSpan.FromHours(12))] };
        var far = Technician("Far", Offset(Downtown, 0.2), "hvac");
        var morning = Visit(Downtown, 9, 10, "hvac");
        var afternoon = Visit(Offset(Downtown, 0.005), 11, 16, "hvac");

        var plan = DispatchPlanner.Plan(new DispatchDay(Day, [off, far], [morning, afternoon]), Options);

        Assert.Equal(far.Id, plan.TechnicianOf(morning.Id));
        Assert.Equal(off.Id, plan.TechnicianOf(afternoon.Id));
        Assert.True(plan.Routes.Single(r => r.TechnicianId == off.Id).Stops.Single().Start >= TimeSpan.FromHours(12));
    }

    [Fact]
    public void A_technician_off_all_day_is_given_nothing_and_a_visit_only_they_could_do_is_unassignable()
    {
        var off = Technician("Off", Downtown, "roofing") with { Unavailable = [new Unavailability(TimeSpan.FromHours(7), TimeSpan.FromHours(18))] };
        var other = Technician("Other", Downtown, "hvac");
        var roof = Visit(Downtown, 8, 17, "roofing");

        var plan = DispatchPlanner.Plan(new DispatchDay(Day, [off, other], [roof]), Options);

        Assert.Null(plan.TechnicianOf(roof.Id));
        Assert.Equal(roof.Id, Assert.Single(plan.Unassigned).VisitId);
    }

    [Fact]
    public void Nearest_feasible_first_takes_the_visit_whose_window_is_open_before_a_nearer_one_hours_away_and_nearest_first_does_not()
    {
        var ann = Technician("Ann", Downtown, "plumbing");
        var afternoon = Visit(Offset(Downtown, 0.01), 14, 16, "plumbing");
        var morning = Visit(Offset(Downtown, 0.09), 8, 10, "plumbing");
        var day = new DispatchDay(Day, [ann], [afternoon, morning]);

        var feasible = DispatchBaselines.NearestFeasibleFirst(day, Options);
        var blind = DispatchBaselines.NearestFirst(day, Options);

        Assert.Equal([morning.Id, afternoon.Id], feasible.Routes.Single().Stops.Select(s => s.VisitId));
        Assert.Equal((2, 0), (feasible.VisitsInWindow, feasible.VisitsLate));
        Assert.Equal(afternoon.Id, blind.Routes.Single().Stops[0].VisitId);
        Assert.Equal(1, blind.VisitsLate);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void On_the_work_nearest_feasible_first_served_the_planner_drives_less_and_is_late_no_more_often(int seed)
    {
        var day = Generated(seed, technicians: 10, visits: 80);
        var baseline = DispatchBaselines.NearestFeasibleFirst(day, Options);
        var served = baseline.Routes.SelectMany(r => r.Stops).Select(s => s.VisitId).ToHashSet();

        var plan = DispatchPlanner.Plan(day with { Visits = [.. day.Visits.Where(v => served.Contains(v.Id))] }, Options);

        Assert.True(plan.TotalTravelKm < baseline.TotalTravelKm, $"planner {plan.TotalTravelKm:0.0} km, nearest-feasible {baseline.TotalTravelKm:0.0} km");
        Assert.True(plan.VisitsLate + plan.Unassigned.Count <= baseline.VisitsLate, $"planner {plan.VisitsLate} late, {plan.Unassigned.Count} left; nearest-feasible {baseline.VisitsLate} late");
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    public void The_one_pass_insertion_check_finds_the_same_place_and_cost_as_driving_every_candidate_route(int seed)
    {
        var day = Generated(seed, technicians: 4, visits: 40);
        var state = new DispatchPlanner.PlanState(day, Options);
        var random = new Random(seed);
        var compared = 0;
        // Routes grow one visit at a time in window order, so the check meets empty, part-full and full routes.
        foreach (var next in Enumerable.Range(0, day.Visits.Count).OrderBy(v => day.Visits[v].WindowStart).ToList())
        {
            foreach (var v in state.Unassigned)
            {
                for (var t = 0; t < day.Technicians.Count; t++)
                {
                    var current = state.RouteCost(t);
                    var quick = state.QuickBestPosition(t, v);
                    var driven = state.DrivenBestPosition(t, v, current, allowLate: false);
                    Assert.NotNull(quick);
                    Assert.Equal(driven.Position >= 0, quick.Value.Position >= 0);
                    if (driven.Position >= 0)
                    {
                        // Two places can cost the same (a route of one visit driven either way round), so the place
                        // the check found is driven as well: feasible, and as cheap as the best driven one.
                        List<int> withVisit = [.. state.RouteOf(t)];
                        withVisit.Insert(quick.Value.Position, v);
                        var outcome = state.Simulate(t, withVisit, allowLate: false);
                        Assert.True(outcome.Feasible);
                        Assert.Equal(driven.Delta, quick.Value.Delta, 1e-6);
                        Assert.Equal(driven.Delta, state.RouteCost(t, withVisit) - current, 1e-6);
                        compared++;
                    }
                }
            }

            var technician = random.Next(day.Technicians.Count);
            if (state.IsQualified(technician, next) && state.Simulate(technician, [.. state.RouteOf(technician), next], allowLate: false).Feasible)
            {
                state.Assign(technician, next);
            }
        }

        Assert.True(compared > 100, $"only {compared} feasible insertions compared");
    }

    [Fact]
    public void The_same_day_planned_twice_gives_the_same_plan()
    {
        var day = Generated(seed: 8, technicians: 10, visits: 80);

        var first = DispatchPlanner.Plan(day, Options);
        var second = DispatchPlanner.Plan(day, Options);

        Assert.Equal(first.Routes.Select(r => r.Stops.Select(s => s.VisitId).ToList()), second.Routes.Select(r => r.Stops.Select(s => s.VisitId).ToList()));
        Assert.Equal(first.TotalTravelKm, second.TotalTravelKm);
    }

    private static DispatchTechnician Technician(string name, GeoPoint home, params string[] skills) =>
        new(Guid.NewGuid(), name, home, TimeSpan.FromHours(8), TimeSpan.FromHours(17), skills.ToHashSet(), new Dictionary<string, DateOnly>());

    private static DispatchVisit Visit(GeoPoint at, int fromHour, int toHour, params string[] skills) =>
        new(Guid.NewGuid(), at, TimeSpan.FromHours(fromHour), TimeSpan.FromHours(toHour), TimeSpan.FromMinutes(45), skills, []);

    private static GeoPoint Offset(GeoPoint point, double degrees) => new(point.Latitude + degrees, point.Longitude);

    private static DispatchDay Generated(int seed, int technicians, int visits)
    {
        var random = new Random(seed);
        string[] trades = ["hvac", "plumbing", "electrical"];
        GeoPoint Somewhere() => new(Downtown.Latitude + ((random.NextDouble() - 0.5) * 0.36), Downtown.Longitude + ((random.NextDouble() - 0.5) * 0.42));
        var crew = Enumerable.Range(0, technicians).Select(i =>
            Technician($"Tech {i}", Somewhere(), trades[i % 3], trades[(i + 1) % 3]) with { WorkStart = TimeSpan.FromHours(7 + (i % 2)), WorkEnd = TimeSpan.FromHours(16 + (i % 2)) }).ToList();
        var jobs = Enumerable.Range(0, visits).Select(_ =>
        {
            var from = 8 + random.Next(7);
            return Visit(Somewhere(), from, random.Next(2) == 0 ? from + 2 : 17, trades[random.Next(3)]) with { Duration = TimeSpan.FromMinutes(30 + (15 * random.Next(3))) };
        }).ToList();
        return new DispatchDay(Day, crew, jobs);
    }
}
