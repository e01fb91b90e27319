using StreamFlow.Core.Database;
using StreamFlow.Core.FieldOps.Dispatch;
using StreamFlow.Core.FieldOps.Jobs;
using StreamFlow.Core.FieldOps.Technicians;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.FieldOps.TimeClock;

/// <summary>One punch of an upload; <see cref="VisitId"/> names the job site whose geofence it is checked against.</summary>
public sealed record PunchUploadItem(Guid? PunchId, PunchKind? Kind, DateTimeOffset? DeviceTime, double? Latitude, double? Longitude, double? AccuracyMetres, Guid? VisitId);

public sealed record PunchUpload(IReadOnlyList<PunchUploadItem>? Punches);

public sealed record Punch(
    Guid PunchId, Guid TechnicianId, PunchKind Kind, DateTimeOffset DeviceTime, DateTimeOffset ReceivedAt, Guid? VisitId, Location? Position,
    double? AccuracyMetres, double? DistanceMetres, bool OutsideGeofence);

/// <summary>What an upload did: the punches stored now (flagged ones included) and the ids already stored before (repeats).</summary>
public sealed record PunchUploadResult(IReadOnlyList<Punch> Accepted, IReadOnlyList<Guid> Repeats);

public sealed record PunchList(IReadOnlyList<Punch> Items);

/// <summary>
/// The time clock: a technician's phone uploads punches, possibly a day late. Each carries its own id (a repeat is
/// ignored) and device time (bounded by the server's clock plus <see cref="MaxClockSkew"/>); a position needs its accuracy;
/// one outside the visit's geofence is stored and flagged. Punches on a date of an approved timesheet are refused (409).
/// </summary>
public sealed class TimeClockService(StreamFlowDatabase database, FieldNotifier notifier, TimeProvider timeProvider)
{
    public const int MaxPunchesPerUpload = 500;

    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    public async Task<Result<PunchUploadResult>> UploadAsync(FieldActor actor, PunchUpload upload, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        if (upload.Punches is not { Count: > 0 and <= MaxPunchesPerUpload } punches)
        {
            return Problem.Validation("punches", $"is required: 1 to {MaxPunchesPerUpload} punches.");
        }

        var errors = new ValidationErrors();
        for (var i = 0; i < punches.Count; i++)
        {
            var checkedPunch = PunchRules.Check(Input(punches[i]), null, now, MaxClockSkew);
            foreach (var (field, messages) in checkedPunch.Problem?.Errors ?? new Dictionary<string, string[]>())
            {
                Array.ForEach(messages, m => errors.Add($"punches[{i}].{field}", m));
            }

            if (punches[i].Kind is PunchKind.VisitStart or PunchKind.VisitEnd && punches[i].VisitId is null)
            {
                errors.Add($"punches[{i}].visitId", "is required with a visit timer (visitStart, visitEnd): the visit being worked on.");
            }
        }

        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var technicianName = "";
        var result = await database.InTenantAsync(actor.TenantId, async scope =>
        {
            if (await TechnicianStore.FindByUserAsync(scope, actor.UserId) is not { } technician)
            {
                return (Result<PunchUploadResult>)new Problem(ProblemKind.Unprocessable, "You are not a technician of this business: punches belong to a technician.");
            }

            technicianName = technician.Name;
            var (settings, zone) = await FieldOpsSettingsStore.ReadAsync(scope);
            var accepted = new List<Punch>();
            var repeats = new List<Guid>();
            foreach (var (item, i) in punches.Select((p, i) => (p, i)).OrderBy(x => x.p.DeviceTime))
            {
                Geofence? site = null;
                if (item.VisitId is { } visitId)
                {
                    if (await VisitStore.FindAsync(scope, visitId, technician.Id) is not { } visit)
                    {
                        return JobService.Unprocessable($"punches[{i}].visitId", "is not a visit assigned to you.");
                    }

                    site = new Geofence(new GeoPoint(visit.Latitude, visit.Longitude), visit.GeofenceRadiusMetres ?? settings.GeofenceRadiusMetres);
                }

                var punch = PunchRules.Check(Input(item), site, now, MaxClockSkew).Value!;
                var date = DateOnly.FromDateTime(TimeZones.Local(punch.DeviceTime, zone).DateTime);
                if (await TimesheetStore.ApprovedOnAsync(scope, technician.Id, date) is { } sheet)
                {
                    return Problem.Conflict($"Timesheet {sheet} covering {date:yyyy-MM-dd} is approved and locked: punch {punch.PunchId} cannot be added.");
                }

                var stored = new StoredPunch
                {
                    PunchId = punch.PunchId, TechnicianId = technician.Id, Kind = ToText(punch.Kind), DeviceTime = punch.DeviceTime, ReceivedAt = now,
                    VisitId = item.VisitId, Latitude = punch.Position?.Latitude, Longitude = punch.Position?.Longitude,
                    AccuracyMetres = punch.AccuracyMetres, DistanceMetres = punch.DistanceMetres is { } d ? Math.Round(d, 1) : null,
                    OutsideGeofence = punch.OutsideGeofence,
                };
                if (await TimeClockStore.InsertAsync(scope, actor.TenantId, stored))
                {
                    accepted.Add(ToPunch(stored));
                }
                else
                {
                    repeats.Add(punch.PunchId);
                }
            }

            return new PunchUploadResult(accepted, repeats);
        }, cancellationToken);

        // Committed: the office hears of new punches outside a geofence (repeats were told the first time).
        if (result.Succeeded)
        {
            notifier.TellOfficeOfFlaggedPunches(actor.TenantId, technicianName,
                [.. result.Value.Accepted.Where(p => p.OutsideGeofence).Select(p => new FlaggedPunch(p.PunchId, ToText(p.Kind), p.DeviceTime, p.VisitId, p.DistanceMetres))]);
        }

        return result;
    }

    /// <summary>A technician's punches between two local dates (inclusive), in device-time order; others than one's own only with FieldOpsManage.</summary>
    public async Task<Result<PunchList>> ListAsync(FieldActor actor, Guid? technicianId, DateOnly? from, DateOnly? to, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (from is null || to is null || to < from || to.Value.DayNumber - from.Value.DayNumber > 62)
        {
            errors.Add("from", "and to are required (YYYY-MM-DD), to on or after from, at most 62 days apart.");
        }

        if (actor.CanManage && technicianId is null)
        {
            errors.Add("technicianId", "is required.");
        }

        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        return await database.InTenantAsync(actor.TenantId, async scope =>
        {
            var own = await VisitService.OwnTechnicianAsync(scope, actor);
            var technician = own ?? technicianId!.Value;
            if (own is not null && technicianId is not null && technicianId != own)
            {
                return (Result<PunchList>)Problem.NotFound("The technician");
            }

            var (_, zone) = await FieldOpsSettingsStore.ReadAsync(scope);
            var rows = await TimeClockStore.RangeAsync(scope, technician, TimeZones.StartOf(from!.Value, zone), TimeZones.StartOf(to!.Value.AddDays(1), zone));
            return new PunchList([.. rows.Select(ToPunch)]);
        }, cancellationToken);
    }

    internal static AcceptedPunch ToAccepted(StoredPunch p) => new(
        p.PunchId, FromText(p.Kind), p.DeviceTime, p.Latitude is { } la && p.Longitude is { } lo ? new GeoPoint(la, lo) : null,
        p.AccuracyMetres, p.DistanceMetres, p.OutsideGeofence);

    private static PunchInput Input(PunchUploadItem p) => new(p.PunchId, p.Kind, p.DeviceTime, p.Latitude, p.Longitude, p.AccuracyMetres);

    private static Punch ToPunch(StoredPunch p) => new(
        p.PunchId, p.TechnicianId, FromText(p.Kind), p.DeviceTime, p.ReceivedAt, p.VisitId,
        p.Latitude is { } la ? new Location(la, p.Longitude) : null, p.AccuracyMetres, p.DistanceMetres, p.OutsideGeofence);

    private static string ToText(PunchKind kind) => kind switch
    {
        PunchKind.ClockIn => "clockIn",
        PunchKind.BreakStart => "breakStart",
        PunchKind.BreakEnd => "breakEnd",
        PunchKind.VisitStart => "visitStart",
        PunchKind.VisitEnd => "visitEnd",
        _ => "clockOut",
    };

    private static PunchKind FromText(string kind) => kind switch
    {
        "clockIn" => PunchKind.ClockIn,
        "breakStart" => PunchKind.BreakStart,
        "breakEnd" => PunchKind.BreakEnd,
        "visitStart" => PunchKind.VisitStart,
        "visitEnd" => PunchKind.VisitEnd,
        _ => PunchKind.ClockOut,
    };
}
