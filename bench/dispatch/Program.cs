using System.Diagnostics;
using System.Globalization;
using StreamFlow.Core.FieldOps.Dispatch;

// A simulated day (10 technicians, 80 visits over a metro area, with windows) planned by the planner and three
// baselines (nearest-feasible as a dispatcher runs it, window-blind nearest-first, round-robin), the travel on the same
// work, and the time to re-plan after one cancellation. Figures are printed, never asserted.
//   dotnet bench/dispatch/bin/Release/net10.0/StreamFlow.Bench.Dispatch.dll [days, default 5] [cancellations per day, default 20]
// LOAD_WEIGHT (default 0.5) sets DispatchOptions.LoadWeight, SEARCH_ITERATIONS (default 4000) its ruin-and-recreate iterations.
// Beside the planner, OR-Tools' routing solver (OrToolsReference) on the whole day and on the window-blind and dispatcher
// nearest-first's work: ORTOOLS_SOLUTIONS (default 2000, 0: skip) bounds its guided local search by solutions found,
// not by the clock, so a loaded machine gives the same figures; ORTOOLS_SECONDS (default 300) is only a safety stop.
// ORTOOLS_START=planner starts it from the planner's plan of the same instance instead of its own first solution.
var days = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
var cancellations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
var options = new DispatchOptions(
    AverageSpeedKmh: 40,
    LoadWeight: double.Parse(Environment.GetEnvironmentVariable("LOAD_WEIGHT") ?? "0.5", CultureInfo.InvariantCulture),
    SearchIterations: int.Parse(Environment.GetEnvironmentVariable("SEARCH_ITERATIONS") ?? "4000", CultureInfo.InvariantCulture));
var orToolsLimit = (
    Solutions: long.Parse(Environment.GetEnvironmentVariable("ORTOOLS_SOLUTIONS") ?? "2000", CultureInfo.InvariantCulture),
    Time: TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("ORTOOLS_SECONDS") ?? "300", CultureInfo.InvariantCulture)),
    FromPlanner: Environment.GetEnvironmentVariable("ORTOOLS_START") == "planner");
var orToolsCpuMs = new List<double>();
OrToolsReference.Result? Reference(DispatchDay instance, DispatchPlan plannerPlan)
{
    if (orToolsLimit.Solutions <= 0)
    {
        return null;
    }

    var cpu = CpuMs();
    var start = orToolsLimit.FromPlanner ? OrToolsReference.RoutesOf(instance, plannerPlan) : null;
    var result = OrToolsReference.Solve(instance, options, orToolsLimit.Solutions, orToolsLimit.Time, start);
    orToolsCpuMs.Add(CpuMs() - cpu);
    return result;
}

var totals = new Dictionary<string, (double Km, int InWindow, int Late, int Unassigned)>();
var replanMs = new List<double>();
var planMs = new List<double>();
// CPU time beside wall time: on a shared, loaded machine the wall clock mostly measures the queue for a core.
var planCpuMs = new List<double>();
var replanCpuMs = new List<double>();
var process = Process.GetCurrentProcess();
double CpuMs() { process.Refresh(); return process.TotalProcessorTime.TotalMilliseconds; }
// Travel on the same work: the planner given exactly the visits a baseline served, next to that baseline.
var sameWork = new Dictionary<string, (double PlannerKm, double BaselineKm, int PlannerMissed, int BaselineLate, int Visits, double NoWindowsKm, double OrToolsKm, int OrToolsLeft, double OrToolsNoWindowsKm)>();
var orToolsDay = (Km: 0.0, Served: 0, Left: 0);
TimeSpan[] dispatcherWaits = [TimeSpan.Zero, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(60)];

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"day",-4} {"method",-16} {"travel km",10} {"in window",10} {"late",5} {"unassignable",13} {"km/visit",9}"));
for (var seed = 1; seed <= days; seed++)
{
    var day = SimulatedDay.Create(seed, technicians: 10, visits: 80);
    var cpu = CpuMs();
    var clock = Stopwatch.StartNew();
    var plan = DispatchPlanner.Plan(day, options);
    planMs.Add(clock.Elapsed.TotalMilliseconds);
    planCpuMs.Add(CpuMs() - cpu);
    var baselines = new List<(string Name, DispatchPlan Plan)>
    {
        ("nearest-feasible", DispatchBaselines.NearestFeasibleFirst(day, options)),
        ("nearest-first", DispatchBaselines.NearestFirst(day, options)),
        ("round-robin", DispatchBaselines.RoundRobin(day, options)),
    };
    foreach (var (name, result) in baselines.Prepend(("planner", plan)))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{seed,-4} {name,-16} {result.TotalTravelKm,10:0.0} {result.VisitsInWindow,10} {result.VisitsLate,5} {result.Unassigned.Count,13} {result.TotalTravelKm / Math.Max(1, result.VisitsInWindow + result.VisitsLate),9:0.00}"));
        var sum = totals.GetValueOrDefault(name);
        totals[name] = (sum.Km + result.TotalTravelKm, sum.InWindow + result.VisitsInWindow, sum.Late + result.VisitsLate, sum.Unassigned + result.Unassigned.Count);
    }

    if (Reference(day, plan) is { } wholeDay)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{seed,-4} {"or-tools (ref.)",-16} {wholeDay.TravelKm,10:0.0} {wholeDay.Served,10} {0,5} {wholeDay.Dropped,13} {wholeDay.TravelKm / Math.Max(1, wholeDay.Served),9:0.00}"));
        orToolsDay = (orToolsDay.Km + wholeDay.TravelKm, orToolsDay.Served + wholeDay.Served, orToolsDay.Left + wholeDay.Dropped);
    }

    // A baseline that leaves visits undone drives less for it, so raw kilometres flatter it: plan exactly the visits
    // it served as well; for window-blind nearest-first also as if every customer took any time of the day.
    var compared = baselines.Take(2).Concat(dispatcherWaits.Select(w => (
        Name: string.Create(CultureInfo.InvariantCulture, $"nearest-feasible, early by <= {w.TotalMinutes:0} min"), Plan: DispatchBaselines.NearestFeasibleFirst(day, options, w))));
    foreach (var (name, baseline) in compared)
    {
        var served = baseline.Routes.SelectMany(r => r.Stops).Select(s => s.VisitId).ToHashSet();
        var work = day with { Visits = [.. day.Visits.Where(v => served.Contains(v.Id))] };
        var noWindows = work with { Visits = [.. work.Visits.Select(v => v with { WindowStart = TimeSpan.Zero, WindowEnd = TimeSpan.FromHours(24) })] };
        var sameDay = DispatchPlanner.Plan(work, options);
        var anyTimePlan = name == "nearest-first" ? DispatchPlanner.Plan(noWindows, options) : null;
        var anyTime = anyTimePlan?.TotalTravelKm ?? 0;
        var reference = name is "nearest-first" or "nearest-feasible" ? Reference(work, sameDay) : null;
        var referenceAnyTime = anyTimePlan is null ? null : Reference(noWindows, anyTimePlan);
        var sum = sameWork.GetValueOrDefault(name);
        sameWork[name] = (sum.PlannerKm + sameDay.TotalTravelKm, sum.BaselineKm + baseline.TotalTravelKm, sum.PlannerMissed + sameDay.VisitsLate + sameDay.Unassigned.Count,
            sum.BaselineLate + baseline.VisitsLate, sum.Visits + served.Count, sum.NoWindowsKm + anyTime,
            sum.OrToolsKm + (reference?.TravelKm ?? 0), sum.OrToolsLeft + (reference?.Dropped ?? 0), sum.OrToolsNoWindowsKm + (referenceAnyTime?.TravelKm ?? 0));
        if (reference is not null)
        {
            var anyTimeColumn = referenceAnyTime is null ? "" : string.Create(CultureInfo.InvariantCulture, $"; no windows: planner {anyTime:0.0}, or-tools {referenceAnyTime.TravelKm:0.0}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{seed,-4} same work as {name} ({served.Count} visits): baseline {baseline.TotalTravelKm:0.0} km, planner {sameDay.TotalTravelKm:0.0}, or-tools {reference.TravelKm:0.0} ({reference.Dropped} left){anyTimeColumn}"));
        }
    }

    var random = new Random(seed);
    var assigned = plan.Routes.SelectMany(r => r.Stops).Select(s => s.VisitId).ToList();
    for (var i = 0; i < cancellations; i++)
    {
        var cancelled = assigned[random.Next(assigned.Count)];
        var after = day with { Visits = [.. day.Visits.Where(v => v.Id != cancelled)] };
        cpu = CpuMs();
        clock.Restart();
        DispatchPlanner.Replan(after, plan, options);
        replanMs.Add(clock.Elapsed.TotalMilliseconds);
        replanCpuMs.Add(CpuMs() - cpu);
    }
}

Console.WriteLine();
Console.WriteLine($"over {days} simulated days of 10 technicians and 80 visits, {options.AverageSpeedKmh} km/h:");
var planner = totals["planner"];
foreach (var (name, t) in totals)
{
    var less = name == "planner" ? "" : string.Create(CultureInfo.InvariantCulture, $"  planner travels {100 * (1 - (planner.Km / t.Km)):0.0} % less");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  {name,-16} travel {t.Km / days,7:0.0} km/day, in window {t.InWindow / (double)days,5:0.0}, late {t.Late / (double)days,4:0.0}, unassignable {t.Unassigned / (double)days,4:0.0}{less}"));
}

if (orToolsCpuMs.Count > 0)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  {"or-tools (ref.)",-16} travel {orToolsDay.Km / days,7:0.0} km/day, in window {orToolsDay.Served / (double)days,5:0.0}, late  0.0, unassignable {orToolsDay.Left / (double)days,4:0.0}  (kilometres only, no load term)"));
}

Console.WriteLine("  on the same work (the planner given exactly the visits the baseline served; target >= 30 % less travel, no more missed windows):");
foreach (var (name, w) in sameWork)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"    {name,-40} {w.Visits / (double)days,5:0.0} visits/day: planner {w.PlannerKm / days,6:0.0} km/day, {w.PlannerMissed / (double)days:0.0} late or left; baseline {w.BaselineKm / days,6:0.0} km/day, {w.BaselineLate / (double)days:0.0} late; planner travels {100 * (1 - (w.PlannerKm / w.BaselineKm)):0.0} % less{OrToolsColumn(w.OrToolsKm, w.OrToolsLeft, w.BaselineKm)}"));
}

var blind = sameWork["nearest-first"];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"  nearest-first's work with no windows at all (what windows cost): planner {blind.NoWindowsKm / days:0.0} km/day, {100 * (1 - (blind.NoWindowsKm / blind.BaselineKm)):0.0} % less than nearest-first{OrToolsColumn(blind.OrToolsNoWindowsKm, 0, blind.BaselineKm)}"));
if (orToolsCpuMs.Count > 0)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  or-tools: guided local search to {orToolsLimit.Solutions} solutions from {(orToolsLimit.FromPlanner ? "the planner's plan" : "its own first solution")}, CPU p50 {Percentile(orToolsCpuMs, 50) / 1000:0.0} s per instance ({orToolsCpuMs.Count} instances)"));
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  plan a day: p50 {Percentile(planMs, 50):0.0} ms ({Percentile(planCpuMs, 50):0.0} ms of CPU)"));
if (replanMs.Count > 0)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  re-plan after one cancellation ({replanMs.Count} runs): p50 {Percentile(replanMs, 50):0.0} ms, p95 {Percentile(replanMs, 95):0.0} ms (target p50 < 1000 ms); CPU p50 {Percentile(replanCpuMs, 50):0.0} ms"));
}

string OrToolsColumn(double km, int left, double baselineKm) => km == 0 ? "" : string.Create(CultureInfo.InvariantCulture,
    $"; or-tools {km / days,6:0.0} km/day, {left / (double)days:0.0} left, {100 * (1 - (km / baselineKm)):0.0} % less");

static double Percentile(List<double> values, int p)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
}

/// <summary>A metro area of about 40 × 40 km (centred on Austin, TX), technicians with mixed trades and certifications.</summary>
internal static class SimulatedDay
{
    private static readonly string[] Trades = ["hvac", "plumbing", "electrical"];

    public static DispatchDay Create(int seed, int technicians, int visits)
    {
        var random = new Random(seed);
        var date = new DateOnly(2026, 12, 7);
        var centre = new GeoPoint(30.2672, -97.7431);
        GeoPoint Somewhere() => new(centre.Latitude + ((random.NextDouble() - 0.5) * 0.36), centre.Longitude + ((random.NextDouble() - 0.5) * 0.42));

        var crew = Enumerable.Range(0, technicians).Select(i =>
        {
            var skills = new HashSet<string> { Trades[i % Trades.Length] };
            if (i % 2 == 0)
            {
                skills.Add(Trades[(i + 1) % Trades.Length]);
            }

            // One technician's refrigerant certification has lapsed: the planner must not count it.
            var certifications = new Dictionary<string, DateOnly>();
            if (skills.Contains("hvac"))
            {
                certifications["epa-608"] = i == 0 ? date.AddDays(-3) : date.AddYears(1);
            }

            var start = TimeSpan.FromHours(i % 3 == 0 ? 7 : 8);
            return new DispatchTechnician(Guid.CreateVersion7(), $"Tech {i + 1}", Somewhere(), start, start + TimeSpan.FromHours(9), skills, certifications);
        }).ToList();

        var jobs = Enumerable.Range(0, visits).Select(_ =>
        {
            var trade = Trades[random.Next(Trades.Length)];
            // Arrival windows as field-service tools book them (Jobber, ServiceTitan): a morning (8-12) or afternoon
            // (12-17) slot, any time of the day (8-17), or a 2-hour window starting on the hour from 8 to 14.
            var (from, to) = random.Next(4) switch
            {
                0 => (8, 12),
                1 => (12, 17),
                2 => (8, 17),
                _ => (8 + random.Next(7), 0),
            };
            to = to == 0 ? from + 2 : to;
            return new DispatchVisit(Guid.CreateVersion7(), Somewhere(), TimeSpan.FromHours(from), TimeSpan.FromHours(to),
                TimeSpan.FromMinutes(30 + (15 * random.Next(3))), [trade], trade == "hvac" && random.Next(2) == 0 ? ["epa-608"] : [],
                random.NextDouble());
        }).ToList();
        return new DispatchDay(date, crew, jobs);
    }
}
