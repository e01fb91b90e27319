using StreamFlow.Core.FieldOps.Dispatch;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.FieldOps.TimeClock;

public enum PunchKind
{
    ClockIn,
    BreakStart,
    BreakEnd,
    ClockOut,

    /// <summary>A visit timer starts: the technician begins work on the visit the punch names (visitId required).</summary>
    VisitStart,

    /// <summary>A visit timer stops: the measured time on the visit, billed as labour (visitId required).</summary>
    VisitEnd,
}

/// <summary>A punch as a phone sends it, possibly a day later: its own id, the device's clock and where it was.</summary>
public sealed record PunchInput(Guid? PunchId, PunchKind? Kind, DateTimeOffset? DeviceTime, double? Latitude, double? Longitude, double? AccuracyMetres);

/// <summary>A punch that passed the rules; <see cref="OutsideGeofence"/> punches are kept and flagged for the office.</summary>
public sealed record AcceptedPunch(Guid PunchId, PunchKind Kind, DateTimeOffset DeviceTime, GeoPoint? Position, double? AccuracyMetres, double? DistanceMetres, bool OutsideGeofence);

/// <summary>The site a punch is checked against: a job's address and its geofence radius.</summary>
public sealed record Geofence(GeoPoint Centre, double RadiusMetres);

/// <summary>
/// Checks one punch: a device time no later than the server's now plus the allowed skew, a position only with its
/// accuracy, and a position outside the geofence flagged rather than refused (GPS drifts, and a refused punch would
/// lose the time worked). The accuracy counts in the worker's favour: outside means beyond radius + accuracy.
/// </summary>
public static class PunchRules
{
    public static Result<AcceptedPunch> Check(PunchInput input, Geofence? site, DateTimeOffset now, TimeSpan maxSkew)
    {
        var errors = new ValidationErrors();
        if (input.PunchId is null || input.PunchId == Guid.Empty)
        {
            errors.Add("punchId", "is required: a UUID the device generates once per punch.");
        }

        if (input.Kind is null)
        {
            errors.Add("kind", "is required: clockIn, breakStart, breakEnd, clockOut, visitStart or visitEnd.");
        }

        if (input.DeviceTime is null)
        {
            errors.Add("deviceTime", "is required.");
        }
        else if (input.DeviceTime > now + maxSkew)
        {
            errors.Add("deviceTime", $"is in the future by more than the allowed clock skew of {maxSkew.TotalSeconds:0} seconds.");
        }

        if ((input.Latitude is null) != (input.Longitude is null))
        {
            errors.Add(input.Latitude is null ? "latitude" : "longitude", "is required with the other coordinate.");
        }
        else if (input.Latitude is { } lat && (lat is < -90 or > 90 || input.Longitude is < -180 or > 180))
        {
            errors.Add(lat is < -90 or > 90 ? "latitude" : "longitude", "is out of range.");
        }

        if (input.Latitude is not null && input.AccuracyMetres is null)
        {
            errors.Add("accuracyMetres", "is required with a position.");
        }
        else if (input.AccuracyMetres is < 0 or > 100_000)
        {
            errors.Add("accuracyMetres", "must be between 0 and 100000.");
        }

        if (errors.ToProblem() is { } problem)
        {
            return problem;
        }

        GeoPoint? position = input.Latitude is { } la && input.Longitude is { } lo ? new GeoPoint(la, lo) : null;
        double? distance = position is { } p && site is not null ? p.KilometresTo(site.Centre) * 1000 : null;
        var outside = site is not null && (distance is null || distance > site.RadiusMetres + input.AccuracyMetres!.Value);
        return new AcceptedPunch(input.PunchId!.Value, input.Kind!.Value, input.DeviceTime!.Value, position, input.AccuracyMetres, distance, outside);
    }

    /// <summary>
    /// Merges an upload into what is stored: a punch id already seen is a repeat and ignored (idempotent retries), and
    /// the day is ordered by device time, not by arrival.
    /// </summary>
    public static IReadOnlyList<AcceptedPunch> Merge(IEnumerable<AcceptedPunch> stored, IEnumerable<AcceptedPunch> uploaded)
    {
        var byId = new Dictionary<Guid, AcceptedPunch>();
        foreach (var punch in stored.Concat(uploaded))
        {
            byId.TryAdd(punch.PunchId, punch);
        }

        return [.. byId.Values.OrderBy(p => p.DeviceTime).ThenBy(p => p.PunchId)];
    }
}
