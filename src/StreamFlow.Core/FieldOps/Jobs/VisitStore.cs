using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.FieldOps.Jobs;

internal sealed record StoredVisit
{
    public Guid Id { get; init; }

    public Guid JobId { get; init; }

    public string Address { get; init; } = "";

    public double Latitude { get; init; }

    public double Longitude { get; init; }

    public int? GeofenceRadiusMetres { get; init; }

    public DateTimeOffset WindowStart { get; init; }

    public DateTimeOffset WindowEnd { get; init; }

    public int DurationMinutes { get; init; }

    public string[] RequiredSkills { get; init; } = [];

    public string[] RequiredCertifications { get; init; } = [];

    public DateTimeOffset? ScheduledStart { get; init; }

    public string Status { get; init; } = VisitStatus.Scheduled;

    public Guid[] TechnicianIds { get; init; } = [];

    public string[] TechnicianNames { get; init; } = [];

    public string CustomerName { get; init; } = "";

    public string JobTitle { get; init; } = "";

    public string? Notes { get; init; }

    public int Version { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public int? LateMinutes { get; init; }

    public DateTimeOffset Start => ScheduledStart ?? WindowStart;

    public DateTimeOffset Finish => Start.AddMinutes(DurationMinutes);

    public Visit ToVisit() => new(
        Id, JobId, Address, new Location(Latitude, Longitude), WindowStart, WindowEnd, DurationMinutes, RequiredSkills, RequiredCertifications,
        ScheduledStart, Status, TechnicianIds, Notes, Version, CreatedAt, UpdatedAt, LateMinutes)
    {
        TechnicianNames = TechnicianNames, CustomerName = CustomerName, JobTitle = JobTitle,
    };
}

/// <summary>A visit of the same technician whose time overlaps the one being assigned.</summary>
internal sealed record OverlappingVisit(Guid VisitId, Guid TechnicianId, DateTimeOffset Start, DateTimeOffset Finish);

/// <summary>The SQL of visits and their assignments.</summary>
internal static class VisitStore
{
    private const string Select = """
        SELECT v.id AS Id, v.job_id AS JobId, j.address AS Address, j.latitude AS Latitude, j.longitude AS Longitude,
               j.geofence_radius_metres AS GeofenceRadiusMetres, v.window_start AS WindowStart, v.window_end AS WindowEnd,
               v.duration_minutes AS DurationMinutes, v.required_skills AS RequiredSkills, v.required_certifications AS RequiredCertifications,
               v.scheduled_start AS ScheduledStart, v.status AS Status,
               ARRAY(SELECT a.technician_id FROM visit_assignments a WHERE a.visit_id = v.id ORDER BY a.technician_id) AS TechnicianIds,
               ARRAY(SELECT t.name FROM visit_assignments a JOIN technicians t ON t.id = a.technician_id
                     WHERE a.visit_id = v.id ORDER BY a.technician_id) AS TechnicianNames,
               j.customer_name AS CustomerName, j.title AS JobTitle,
               v.notes AS Notes, v.version AS Version, v.created_at AS CreatedAt, v.updated_at AS UpdatedAt, v.late_minutes AS LateMinutes
        FROM visits v JOIN jobs j ON j.id = v.job_id
        """;

    private const string InsertSql = """
        INSERT INTO visits (id, tenant_id, job_id, window_start, window_end, duration_minutes, required_skills, required_certifications,
                            status, notes, created_at, updated_at, status_changed_at)
        VALUES (@Id, @TenantId, @JobId, @WindowStart, @WindowEnd, @DurationMinutes, @RequiredSkills, @RequiredCertifications,
                'scheduled', @Notes, @Now, @Now, @Now)
        """;

    private const string UpdateSql = """
        UPDATE visits SET window_start = @WindowStart, window_end = @WindowEnd, duration_minutes = @DurationMinutes,
            required_skills = @RequiredSkills, required_certifications = @RequiredCertifications, notes = @Notes,
            scheduled_start = @ScheduledStart, version = version + 1, updated_at = @Now
        WHERE id = @Id
        """;

    private const string ByIdSql = $"{Select} WHERE v.id = @Id AND (@Technician::uuid IS NULL OR EXISTS (SELECT 1 FROM visit_assignments a WHERE a.visit_id = v.id AND a.technician_id = @Technician))";

    private const string LockSql = "SELECT id FROM visits WHERE id = @Id FOR UPDATE";

    private const string ByJobSql = $"{Select} WHERE v.job_id = @JobId ORDER BY v.window_start, v.id";

    private const string PageSql = $"""
        {Select}
        WHERE (@Before::uuid IS NULL OR v.id < @Before)
          AND (@From::timestamptz IS NULL OR (v.window_start >= @From AND v.window_start < @To))
          AND (@Status::text IS NULL OR v.status = @Status)
          AND (@JobId::uuid IS NULL OR v.job_id = @JobId)
          AND (@Technician::uuid IS NULL OR EXISTS (SELECT 1 FROM visit_assignments a WHERE a.visit_id = v.id AND a.technician_id = @Technician))
          AND (@Own::uuid IS NULL OR EXISTS (SELECT 1 FROM visit_assignments a WHERE a.visit_id = v.id AND a.technician_id = @Own))
        ORDER BY v.id DESC LIMIT @Limit
        """;

    // The day's visits not yet under way, locked so that an apply sees exactly what it plans over.
    private const string DaySql = $"""
        {Select}
        WHERE v.status = 'scheduled' AND v.window_start >= @From AND v.window_start < @To
        ORDER BY v.id
        """;

    private const string LockDaySql = """
        SELECT id FROM visits WHERE status = 'scheduled' AND window_start >= @From AND window_start < @To ORDER BY id FOR UPDATE
        """;

    private const string DeleteSql = "DELETE FROM visits WHERE id = @Id AND status = 'scheduled'";

    private const string ReportLateSql = """
        UPDATE visits SET late_minutes = @Minutes, late_reported_at = @Now, version = version + 1, updated_at = @Now WHERE id = @Id
        """;

    // The day's visits reported late that are not done yet: each holds its technicians up until it is expected to finish.
    private const string LateOfDaySql = $"""
        {Select}
        WHERE v.late_minutes IS NOT NULL AND v.status IN ('scheduled', 'en_route', 'on_site') AND v.window_start >= @From AND v.window_start < @To
        ORDER BY v.id
        """;

    private const string StatusSql = """
        UPDATE visits SET status = @Status, notes = coalesce(@Notes, notes), status_changed_at = @Now, updated_at = @Now, version = version + 1,
            arrived_at = CASE WHEN @Status = 'on_site' THEN coalesce(arrived_at, @Now) ELSE arrived_at END
        WHERE id = @Id AND status = @From
        """;

    private const string ClearAssignmentsSql = "DELETE FROM visit_assignments WHERE visit_id = @VisitId";

    private const string AssignSql = """
        INSERT INTO visit_assignments (tenant_id, visit_id, technician_id, assigned_by, assigned_at, override_reason)
        VALUES (@TenantId, @VisitId, @TechnicianId, @Actor, @Now, @OverrideReason)
        """;

    private const string ScheduleSql = """
        UPDATE visits SET scheduled_start = @ScheduledStart, version = version + 1, updated_at = @Now WHERE id = @VisitId
        """;

    // Another live visit of one of these technicians whose [start, start + duration) meets the new one's.
    private const string OverlapSql = """
        SELECT v.id AS VisitId, a.technician_id AS TechnicianId, coalesce(v.scheduled_start, v.window_start) AS Start,
               coalesce(v.scheduled_start, v.window_start) + make_interval(mins => v.duration_minutes) AS Finish
        FROM visits v JOIN visit_assignments a ON a.visit_id = v.id
        WHERE a.technician_id = ANY (@Technicians) AND v.id <> @VisitId AND v.status NOT IN ('completed', 'cancelled')
          AND coalesce(v.scheduled_start, v.window_start) < @Finish
          AND coalesce(v.scheduled_start, v.window_start) + make_interval(mins => v.duration_minutes) > @Start
        ORDER BY coalesce(v.scheduled_start, v.window_start), v.id
        LIMIT 1
        """;

    public static Task InsertAsync(DbTransactionScope scope, Guid tenantId, StoredVisit visit, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertSql, new
        {
            visit.Id, TenantId = tenantId, visit.JobId, visit.WindowStart, visit.WindowEnd, visit.DurationMinutes, visit.RequiredSkills,
            visit.RequiredCertifications, visit.Notes, Now = now,
        }));

    public static Task UpdateAsync(DbTransactionScope scope, StoredVisit visit, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(UpdateSql, new
        {
            visit.Id, visit.WindowStart, visit.WindowEnd, visit.DurationMinutes, visit.RequiredSkills, visit.RequiredCertifications, visit.Notes,
            visit.ScheduledStart, Now = now,
        }));

    /// <summary>The visit; with <paramref name="technician"/> only when it is assigned to that technician.</summary>
    public static Task<StoredVisit?> FindAsync(DbTransactionScope scope, Guid id, Guid? technician = null) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredVisit>(scope.Command(ByIdSql, new { Id = id, Technician = technician }));

    public static async Task<StoredVisit?> LockAsync(DbTransactionScope scope, Guid id, Guid? technician = null) =>
        await scope.Connection.ExecuteScalarAsync<Guid?>(scope.Command(LockSql, new { Id = id })) is null ? null : await FindAsync(scope, id, technician);

    public static async Task<IReadOnlyList<StoredVisit>> OfJobAsync(DbTransactionScope scope, Guid jobId) =>
        (await scope.Connection.QueryAsync<StoredVisit>(scope.Command(ByJobSql, new { JobId = jobId }))).ToList();

    public static async Task<IReadOnlyList<StoredVisit>> PageAsync(
        DbTransactionScope scope, VisitFilter filter, (DateTimeOffset From, DateTimeOffset To)? day, Guid? own, Guid? before, int limit) =>
        (await scope.Connection.QueryAsync<StoredVisit>(scope.Command(PageSql, new
        {
            Before = before, From = day?.From, To = day?.To, filter.Status, filter.JobId, Technician = filter.TechnicianId, Own = own, Limit = limit,
        }))).ToList();

    public static async Task<IReadOnlyList<StoredVisit>> DayAsync(DbTransactionScope scope, DateTimeOffset from, DateTimeOffset to, bool lockRows)
    {
        if (lockRows)
        {
            await scope.Connection.ExecuteAsync(scope.Command(LockDaySql, new { From = from, To = to }));
        }

        return (await scope.Connection.QueryAsync<StoredVisit>(scope.Command(DaySql, new { From = from, To = to }))).ToList();
    }

    public static Task ReportLateAsync(DbTransactionScope scope, Guid id, int minutes, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(ReportLateSql, new { Id = id, Minutes = minutes, Now = now }));

    public static async Task<IReadOnlyList<StoredVisit>> LateOfDayAsync(DbTransactionScope scope, DateTimeOffset from, DateTimeOffset to) =>
        (await scope.Connection.QueryAsync<StoredVisit>(scope.Command(LateOfDaySql, new { From = from, To = to }))).ToList();

    public static async Task<bool> DeleteAsync(DbTransactionScope scope, Guid id) =>
        await scope.Connection.ExecuteAsync(scope.Command(DeleteSql, new { Id = id })) == 1;

    public static async Task<bool> MoveAsync(DbTransactionScope scope, Guid id, string from, string to, string? notes, DateTimeOffset now) =>
        await scope.Connection.ExecuteAsync(scope.Command(StatusSql, new { Id = id, From = from, Status = to, Notes = notes, Now = now })) == 1;

    public static Task<OverlappingVisit?> FirstOverlapAsync(DbTransactionScope scope, Guid visitId, IReadOnlyCollection<Guid> technicians, DateTimeOffset start, DateTimeOffset finish) =>
        scope.Connection.QuerySingleOrDefaultAsync<OverlappingVisit>(scope.Command(OverlapSql, new
        {
            VisitId = visitId, Technicians = technicians.ToArray(), Start = start, Finish = finish,
        }));

    /// <summary>Replaces the visit's technicians and sets when they are due.</summary>
    public static async Task AssignAsync(
        DbTransactionScope scope, Guid tenantId, Guid visitId, IReadOnlyCollection<Guid> technicians, DateTimeOffset? scheduledStart,
        string actor, string? overrideReason, DateTimeOffset now)
    {
        await scope.Connection.ExecuteAsync(scope.Command(ClearAssignmentsSql, new { VisitId = visitId }));
        foreach (var technician in technicians)
        {
            await scope.Connection.ExecuteAsync(scope.Command(AssignSql, new
            {
                TenantId = tenantId, VisitId = visitId, TechnicianId = technician, Actor = actor, Now = now, OverrideReason = overrideReason,
            }));
        }

        await scope.Connection.ExecuteAsync(scope.Command(ScheduleSql, new { VisitId = visitId, ScheduledStart = scheduledStart, Now = now }));
    }
}
