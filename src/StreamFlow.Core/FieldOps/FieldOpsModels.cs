using StreamFlow.Core.Audit;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.FieldOps;

/// <summary>Who is asking: managers (FieldOpsManage) see the whole business, everyone else only their own technician's work.</summary>
public sealed record FieldActor(Guid TenantId, Guid UserId, string Actor, bool CanManage, RequestOrigin Origin);

/// <summary>A point as the API writes it, in decimal degrees (WGS 84).</summary>
public sealed record Location(double? Latitude, double? Longitude);

/// <summary>A certification a technician holds, valid through <see cref="ExpiresOn"/>.</summary>
public sealed record Certification(string? Name, DateOnly? ExpiresOn);

/// <summary>Local working hours in the business's time zone, <c>HH:mm</c>.</summary>
public sealed record WorkingHours(string? Start, string? End);

public sealed record TechnicianInput(
    Guid? UserId, string? Name, IReadOnlyList<string>? Skills, IReadOnlyList<Certification>? Certifications, Location? HomeBase,
    WorkingHours? WorkingHours, Money? HourlyCost, bool? Active);

/// <summary>A technician: what they may do, where their day starts, when they work and what an hour costs.</summary>
public sealed record Technician(
    Guid Id, Guid? UserId, string Name, IReadOnlyList<string> Skills, IReadOnlyList<Certification> Certifications, Location HomeBase,
    WorkingHours WorkingHours, Money HourlyCost, bool Active, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record TechnicianPage(IReadOnlyList<Technician> Items, string? NextCursor);

/// <summary>How a recurring job repeats: <c>weekly</c>, <c>monthly</c> or <c>everyNDays</c>, every <see cref="Interval"/> of them, through <see cref="Until"/>.</summary>
public sealed record Recurrence(string? Frequency, int? Interval, DateOnly? Until);

public sealed record VisitInput(
    DateTimeOffset? WindowStart, DateTimeOffset? WindowEnd, int? DurationMinutes, IReadOnlyList<string>? RequiredSkills,
    IReadOnlyList<string>? RequiredCertifications, string? Notes);

/// <param name="Visit">Optional: the first visit; a recurring job repeats it on every occurrence through the recurrence's end.</param>
public sealed record JobInput(
    Guid? LeadId, string? CustomerName, string? Title, string? Address, Location? Location, int? GeofenceRadiusMetres,
    Recurrence? Recurrence, VisitInput? Visit);

/// <summary>Work at a service address for a customer (or a lead), done in one or more visits.</summary>
public sealed record Job(
    Guid Id, Guid? LeadId, string CustomerName, string Title, string Address, Location Location, int? GeofenceRadiusMetres,
    Recurrence? Recurrence, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record JobPage(IReadOnlyList<Job> Items, string? NextCursor);

public sealed record JobCreated(Job Job, IReadOnlyList<Visit> Visits);

public static class VisitStatus
{
    public const string Scheduled = "scheduled";
    public const string EnRoute = "en_route";
    public const string OnSite = "on_site";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";

    public static readonly string[] All = [Scheduled, EnRoute, OnSite, Completed, Cancelled];

    /// <summary>The only moves a visit makes: forward through the day, or cancelled before it is done.</summary>
    public static bool CanMove(string from, string to) => (from, to) switch
    {
        (Scheduled, EnRoute) or (EnRoute, OnSite) or (OnSite, Completed) => true,
        (Scheduled or EnRoute or OnSite, Cancelled) => true,
        _ => false,
    };
}

/// <summary>A visit: when to arrive, how long on site, what it needs, who goes and where it stands.</summary>
public sealed record Visit(
    Guid Id, Guid JobId, string Address, Location Location, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, int DurationMinutes,
    IReadOnlyList<string> RequiredSkills, IReadOnlyList<string> RequiredCertifications, DateTimeOffset? ScheduledStart, string Status,
    IReadOnlyList<Guid> TechnicianIds, string? Notes, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int? LateMinutes = null)
{
    /// <summary>The assigned technicians' names, in the order of <see cref="TechnicianIds"/>.</summary>
    public IReadOnlyList<string> TechnicianNames { get; init; } = [];

    /// <summary>The job's customer and title, so that a day's list reads without fetching each job.</summary>
    public string CustomerName { get; init; } = "";

    public string JobTitle { get; init; } = "";
}

public sealed record VisitPage(IReadOnlyList<Visit> Items, string? NextCursor);

public sealed record VisitFilter(DateOnly? Date, string? Status, Guid? TechnicianId, Guid? JobId);

/// <summary>A dispatcher's override: assigning a technician without a required skill or valid certification, with why.</summary>
public sealed record AssignmentOverride(string? Reason);

public sealed record AssignmentInput(IReadOnlyList<Guid>? TechnicianIds, DateTimeOffset? ScheduledStart, AssignmentOverride? Override);

public sealed record StatusChange(string? Status, string? Notes);

/// <summary>A technician's word that they will start a visit <see cref="Minutes"/> after its planned start.</summary>
public sealed record LateReport(int? Minutes, string? Reason);

/// <summary>
/// The tenant's field settings: overtime thresholds, the default geofence, the planner's average speed, and
/// <see cref="OverdueReminderDays"/>: a sent invoice unpaid that many days after its due date is mailed to the customer
/// again, and again every that many days, at most three times (0: no reminders).
/// </summary>
public sealed record FieldOpsSettings(double? DailyOvertimeHours, double? WeeklyOvertimeHours, int GeofenceRadiusMetres, double AverageSpeedKmh, int OverdueReminderDays)
{
    public const int DefaultOverdueReminderDays = 7;

    public static FieldOpsSettings Default { get; } = new(8, 40, 150, 40, DefaultOverdueReminderDays);
}

/// <summary>The whole settings; <c>overdueReminderDays</c> left out is the default (7).</summary>
public sealed record FieldOpsSettingsInput(double? DailyOvertimeHours, double? WeeklyOvertimeHours, int? GeofenceRadiusMetres, double? AverageSpeedKmh, int? OverdueReminderDays = null);
