using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.FieldOps.Technicians;

internal sealed record StoredTimeOff
{
    public Guid Id { get; init; }

    public Guid TechnicianId { get; init; }

    public DateTimeOffset StartsAt { get; init; }

    public DateTimeOffset EndsAt { get; init; }

    public string? Reason { get; init; }

    public string CreatedBy { get; init; } = "";

    public DateTimeOffset CreatedAt { get; init; }

    public TimeOff ToTimeOff() => new(Id, TechnicianId, StartsAt, EndsAt, Reason, CreatedBy, CreatedAt);
}

/// <summary>A scheduled visit of a technician that a new stretch of time off overlaps.</summary>
internal sealed record ClashingVisit(Guid VisitId, DateTimeOffset Start);

/// <summary>The SQL of technicians' time off.</summary>
internal static class TimeOffStore
{
    private const string Columns = """
        id AS Id, technician_id AS TechnicianId, starts_at AS StartsAt, ends_at AS EndsAt, reason AS Reason, created_by AS CreatedBy, created_at AS CreatedAt
        """;

    private const string InsertSql = """
        INSERT INTO technician_time_off (id, tenant_id, technician_id, starts_at, ends_at, reason, created_by, created_at)
        VALUES (@Id, @TenantId, @TechnicianId, @StartsAt, @EndsAt, @Reason, @CreatedBy, @Now)
        """;

    private const string OfTechnicianSql = $"""
        SELECT {Columns} FROM technician_time_off
        WHERE technician_id = @TechnicianId AND (@From::timestamptz IS NULL OR ends_at > @From)
        ORDER BY starts_at, id
        LIMIT 500
        """;

    private const string DeleteSql = "DELETE FROM technician_time_off WHERE id = @Id AND technician_id = @TechnicianId";

    private const string OverlappingSql = $"""
        SELECT {Columns} FROM technician_time_off
        WHERE starts_at < @To AND ends_at > @From AND (@Technicians::uuid[] IS NULL OR technician_id = ANY (@Technicians))
        ORDER BY starts_at, id
        """;

    private const string ClashingVisitsSql = """
        SELECT v.id AS VisitId, coalesce(v.scheduled_start, v.window_start) AS Start
        FROM visits v JOIN visit_assignments a ON a.visit_id = v.id
        WHERE a.technician_id = @TechnicianId AND v.status = 'scheduled'
          AND coalesce(v.scheduled_start, v.window_start) < @EndsAt
          AND coalesce(v.scheduled_start, v.window_start) + make_interval(mins => v.duration_minutes) > @StartsAt
        ORDER BY 2, 1
        """;

    public static Task InsertAsync(DbTransactionScope scope, Guid tenantId, StoredTimeOff timeOff, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertSql, new
        {
            timeOff.Id, TenantId = tenantId, timeOff.TechnicianId, timeOff.StartsAt, timeOff.EndsAt, timeOff.Reason, timeOff.CreatedBy, Now = now,
        }));

    public static async Task<IReadOnlyList<StoredTimeOff>> OfTechnicianAsync(DbTransactionScope scope, Guid technicianId, DateTimeOffset? from) =>
        (await scope.Connection.QueryAsync<StoredTimeOff>(scope.Command(OfTechnicianSql, new { TechnicianId = technicianId, From = from }))).ToList();

    public static async Task<bool> DeleteAsync(DbTransactionScope scope, Guid technicianId, Guid id) =>
        await scope.Connection.ExecuteAsync(scope.Command(DeleteSql, new { Id = id, TechnicianId = technicianId })) == 1;

    /// <summary>Time off meeting [from, to), of the given technicians or (null) of everyone.</summary>
    public static async Task<IReadOnlyList<StoredTimeOff>> OverlappingAsync(
        DbTransactionScope scope, DateTimeOffset from, DateTimeOffset to, IReadOnlyCollection<Guid>? technicians = null) =>
        (await scope.Connection.QueryAsync<StoredTimeOff>(scope.Command(OverlappingSql, new { From = from, To = to, Technicians = technicians?.ToArray() }))).ToList();

    public static async Task<IReadOnlyList<ClashingVisit>> ClashingVisitsAsync(DbTransactionScope scope, Guid technicianId, DateTimeOffset startsAt, DateTimeOffset endsAt) =>
        (await scope.Connection.QueryAsync<ClashingVisit>(scope.Command(ClashingVisitsSql, new { TechnicianId = technicianId, StartsAt = startsAt, EndsAt = endsAt }))).ToList();
}
