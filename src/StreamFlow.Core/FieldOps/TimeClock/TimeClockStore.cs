using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.FieldOps.TimeClock;

internal sealed record StoredPunch
{
    public Guid PunchId { get; init; }

    public Guid TechnicianId { get; init; }

    public string Kind { get; init; } = "";

    public DateTimeOffset DeviceTime { get; init; }

    public DateTimeOffset ReceivedAt { get; init; }

    public Guid? VisitId { get; init; }

    public double? Latitude { get; init; }

    public double? Longitude { get; init; }

    public double? AccuracyMetres { get; init; }

    public double? DistanceMetres { get; init; }

    public bool OutsideGeofence { get; init; }
}

/// <summary>The SQL of time punches.</summary>
internal static class TimeClockStore
{
    private const string Columns = """
        punch_id AS PunchId, technician_id AS TechnicianId, kind AS Kind, device_time AS DeviceTime, received_at AS ReceivedAt,
        visit_id AS VisitId, latitude AS Latitude, longitude AS Longitude, accuracy_metres AS AccuracyMetres,
        distance_metres AS DistanceMetres, outside_geofence AS OutsideGeofence
        """;

    // A punch id seen before is a retry of the same upload: nothing changes.
    private const string InsertSql = """
        INSERT INTO time_punches (tenant_id, punch_id, technician_id, kind, device_time, received_at, visit_id, latitude, longitude,
                                  accuracy_metres, distance_metres, outside_geofence)
        VALUES (@TenantId, @PunchId, @TechnicianId, @Kind, @DeviceTime, @ReceivedAt, @VisitId, @Latitude, @Longitude,
                @AccuracyMetres, @DistanceMetres, @OutsideGeofence)
        ON CONFLICT (tenant_id, punch_id) DO NOTHING
        """;

    private const string RangeSql = $"""
        SELECT {Columns} FROM time_punches
        WHERE technician_id = @TechnicianId AND device_time >= @From AND device_time < @To
        ORDER BY device_time, punch_id
        """;

    private const string VisitTimersSql = """
        SELECT visit_id AS VisitId, technician_id AS TechnicianId, punch_id AS PunchId, kind AS Kind, device_time AS DeviceTime
        FROM time_punches
        WHERE visit_id = ANY (@Visits) AND kind IN ('visitStart', 'visitEnd')
        ORDER BY visit_id, technician_id, device_time, punch_id
        """;

    /// <summary>The visit timer punches of these visits (visitStart, visitEnd), for the measured time on each.</summary>
    public static async Task<IReadOnlyList<VisitTimerPunch>> VisitTimersAsync(DbTransactionScope scope, IReadOnlyCollection<Guid> visits) =>
        [.. (await scope.Connection.QueryAsync<StoredPunch>(
                scope.Command(VisitTimersSql, new { Visits = visits.ToArray() })))
            .Select(r => new VisitTimerPunch(r.VisitId!.Value, r.TechnicianId, r.PunchId, r.Kind == "visitStart" ? PunchKind.VisitStart : PunchKind.VisitEnd, r.DeviceTime))];

    public static async Task<bool> InsertAsync(DbTransactionScope scope, Guid tenantId, StoredPunch punch) =>
        await scope.Connection.ExecuteAsync(scope.Command(InsertSql, new
        {
            TenantId = tenantId, punch.PunchId, punch.TechnicianId, punch.Kind, punch.DeviceTime, punch.ReceivedAt, punch.VisitId, punch.Latitude,
            punch.Longitude, punch.AccuracyMetres, punch.DistanceMetres, punch.OutsideGeofence,
        })) == 1;

    public static async Task<IReadOnlyList<StoredPunch>> RangeAsync(DbTransactionScope scope, Guid technicianId, DateTimeOffset from, DateTimeOffset to) =>
        (await scope.Connection.QueryAsync<StoredPunch>(scope.Command(RangeSql, new { TechnicianId = technicianId, From = from, To = to }))).ToList();
}
