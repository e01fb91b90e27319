namespace StreamFlow.Core.FieldOps.Dispatch;

/// <summary>A point on the earth in decimal degrees (WGS 84).</summary>
public readonly record struct GeoPoint(double Latitude, double Longitude)
{
    private const double EarthRadiusKm = 6371.0088;

    /// <summary>Great-circle distance by the haversine formula: no routing API, road factor left to the speed setting.</summary>
    public double KilometresTo(GeoPoint other)
    {
        var dLat = Radians(other.Latitude - Latitude);
        var dLon = Radians(other.Longitude - Longitude);
        var a = Math.Pow(Math.Sin(dLat / 2), 2) + (Math.Cos(Radians(Latitude)) * Math.Cos(Radians(other.Latitude)) * Math.Pow(Math.Sin(dLon / 2), 2));
        return 2 * EarthRadiusKm * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    private static double Radians(double degrees) => degrees * Math.PI / 180;
}

/// <summary>A stretch of the day a technician neither drives nor works (time off, or held up by a visit running late).</summary>
public readonly record struct Unavailability(TimeSpan From, TimeSpan To);

/// <summary>A technician as the planner sees one day: where the day starts and ends, when, and what they may do.</summary>
/// <param name="Certifications">Certification name → expiry date; one that expires before the day does not count.</param>
/// <param name="Unavailable">Stretches of the day, ordered by start, when the technician is not available (null: none).</param>
public sealed record DispatchTechnician(
    Guid Id,
    string Name,
    GeoPoint HomeBase,
    TimeSpan WorkStart,
    TimeSpan WorkEnd,
    IReadOnlySet<string> Skills,
    IReadOnlyDictionary<string, DateOnly> Certifications,
    IReadOnlyList<Unavailability>? Unavailable = null);

/// <summary>A visit to place: the window is when the technician should arrive (start work), the duration is on site.</summary>
/// <param name="TieBreak">Higher wins a tie (the lead's value × probability); never outweighs travel or windows.</param>
public sealed record DispatchVisit(
    Guid Id,
    GeoPoint Location,
    TimeSpan WindowStart,
    TimeSpan WindowEnd,
    TimeSpan Duration,
    IReadOnlyCollection<string> RequiredSkills,
    IReadOnlyCollection<string> RequiredCertifications,
    double TieBreak = 0);

/// <summary>One day to plan.</summary>
public sealed record DispatchDay(DateOnly Date, IReadOnlyList<DispatchTechnician> Technicians, IReadOnlyList<DispatchVisit> Visits);

/// <summary>The planner's settings.</summary>
/// <param name="AverageSpeedKmh">Straight-line kilometres per hour of driving, so it includes the road network's detours.</param>
/// <param name="LoadWeight">Kilometres one would drive to take an hour² of work off the busiest technicians (Σ busy hours²).</param>
/// <param name="ImprovementRounds">Upper bound on local-improvement passes (each pass tries every relocation and 2-opt move).</param>
/// <param name="SearchIterations">Ruin-and-recreate iterations after the local improvement (0: none). The search is bounded by
/// this count rather than by the clock so that the same day always gives the same plan, however busy the machine.</param>
public sealed record DispatchOptions(double AverageSpeedKmh = 40, double LoadWeight = 0.5, int ImprovementRounds = 50, int SearchIterations = 4000)
{
    public TimeSpan TravelTime(double kilometres) => TimeSpan.FromHours(kilometres / AverageSpeedKmh);
}

/// <summary>A visit in a technician's route, with the times the route gives it.</summary>
public sealed record PlannedStop(Guid VisitId, TimeSpan Arrival, TimeSpan Start, TimeSpan Finish, double TravelKm, bool InWindow);

public sealed record TechnicianRoute(Guid TechnicianId, IReadOnlyList<PlannedStop> Stops, double TravelKm, TimeSpan ReturnHome);

/// <summary>Why a visit went to its technician: in words for the dispatcher, and the figures behind them.</summary>
public sealed record DispatchExplanation(Guid VisitId, Guid TechnicianId, string Reason, double AddedKm, Guid? RunnerUpTechnicianId, double? RunnerUpAddedKm);

/// <summary>A visit no technician can take, and why.</summary>
public sealed record UnassignableVisit(Guid VisitId, string Reason);

/// <summary>The day's plan and its figures.</summary>
public sealed record DispatchPlan(
    IReadOnlyList<TechnicianRoute> Routes,
    IReadOnlyList<UnassignableVisit> Unassigned,
    IReadOnlyList<DispatchExplanation> Explanations)
{
    public double TotalTravelKm => Routes.Sum(r => r.TravelKm);

    public int VisitsInWindow => Routes.Sum(r => r.Stops.Count(s => s.InWindow));

    public int VisitsLate => Routes.Sum(r => r.Stops.Count(s => !s.InWindow));

    public Guid? TechnicianOf(Guid visitId) => Routes.FirstOrDefault(r => r.Stops.Any(s => s.VisitId == visitId))?.TechnicianId;
}
