using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.FieldOps.Jobs;

internal sealed record StoredJob
{
    public Guid Id { get; init; }

    public Guid? LeadId { get; init; }

    public string CustomerName { get; init; } = "";

    public string Title { get; init; } = "";

    public string Address { get; init; } = "";

    public double Latitude { get; init; }

    public double Longitude { get; init; }

    public int? GeofenceRadiusMetres { get; init; }

    public string? Recurrence { get; init; }

    public int Version { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>The SQL of jobs.</summary>
internal static class JobStore
{
    private const string Columns = """
        id AS Id, lead_id AS LeadId, customer_name AS CustomerName, title AS Title, address AS Address, latitude AS Latitude,
        longitude AS Longitude, geofence_radius_metres AS GeofenceRadiusMetres, recurrence::text AS Recurrence, version AS Version,
        created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    private const string InsertSql = """
        INSERT INTO jobs (id, tenant_id, lead_id, customer_name, title, address, latitude, longitude, geofence_radius_metres, recurrence, created_at, updated_at)
        VALUES (@Id, @TenantId, @LeadId, @CustomerName, @Title, @Address, @Latitude, @Longitude, @GeofenceRadiusMetres, @Recurrence::jsonb, @Now, @Now)
        """;

    private const string UpdateSql = """
        UPDATE jobs SET lead_id = @LeadId, customer_name = @CustomerName, title = @Title, address = @Address, latitude = @Latitude,
            longitude = @Longitude, geofence_radius_metres = @GeofenceRadiusMetres, recurrence = @Recurrence::jsonb,
            version = version + 1, updated_at = @Now
        WHERE id = @Id
        """;

    private const string ByIdSql = $"SELECT {Columns} FROM jobs WHERE id = @Id AND deleted_at IS NULL";

    private const string ByIdForUpdateSql = $"SELECT {Columns} FROM jobs WHERE id = @Id AND deleted_at IS NULL FOR UPDATE";

    private const string PageSql = $"""
        SELECT {Columns} FROM jobs WHERE deleted_at IS NULL AND (@Before::uuid IS NULL OR id < @Before)
          AND (@LeadId::uuid IS NULL OR lead_id = @LeadId)
        ORDER BY id DESC LIMIT @Limit
        """;

    // A job is deleted only while none of its visits has started: work done stays on the record.
    private const string SoftDeleteSql = """
        UPDATE jobs SET deleted_at = @Now, updated_at = @Now, version = version + 1
        WHERE id = @Id AND deleted_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.job_id = jobs.id AND v.status IN ('en_route', 'on_site', 'completed'))
        """;

    private const string CancelVisitsSql = """
        UPDATE visits SET status = 'cancelled', status_changed_at = @Now, updated_at = @Now, version = version + 1
        WHERE job_id = @Id AND status = 'scheduled'
        """;

    private const string LeadExistsSql = "SELECT EXISTS (SELECT 1 FROM leads WHERE id = @Id AND deleted_at IS NULL)";

    public static Task InsertAsync(DbTransactionScope scope, Guid tenantId, StoredJob job, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertSql, new
        {
            job.Id, TenantId = tenantId, job.LeadId, job.CustomerName, job.Title, job.Address, job.Latitude, job.Longitude,
            job.GeofenceRadiusMetres, job.Recurrence, Now = now,
        }));

    public static Task UpdateAsync(DbTransactionScope scope, StoredJob job, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(UpdateSql, new
        {
            job.Id, job.LeadId, job.CustomerName, job.Title, job.Address, job.Latitude, job.Longitude, job.GeofenceRadiusMetres, job.Recurrence, Now = now,
        }));

    public static Task<StoredJob?> FindAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredJob>(scope.Command(ByIdSql, new { Id = id }));

    public static Task<StoredJob?> LockAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredJob>(scope.Command(ByIdForUpdateSql, new { Id = id }));

    public static async Task<IReadOnlyList<StoredJob>> PageAsync(DbTransactionScope scope, Guid? leadId, Guid? before, int limit) =>
        (await scope.Connection.QueryAsync<StoredJob>(scope.Command(PageSql, new { LeadId = leadId, Before = before, Limit = limit }))).ToList();

    /// <summary>Deletes the job and cancels its visits not yet started; false when a visit has started or the job is gone.</summary>
    public static async Task<bool> SoftDeleteAsync(DbTransactionScope scope, Guid id, DateTimeOffset now)
    {
        if (await scope.Connection.ExecuteAsync(scope.Command(SoftDeleteSql, new { Id = id, Now = now })) != 1)
        {
            return false;
        }

        await scope.Connection.ExecuteAsync(scope.Command(CancelVisitsSql, new { Id = id, Now = now }));
        return true;
    }

    public static Task<bool> LeadExistsAsync(DbTransactionScope scope, Guid leadId) =>
        scope.Connection.ExecuteScalarAsync<bool>(scope.Command(LeadExistsSql, new { Id = leadId }));
}
