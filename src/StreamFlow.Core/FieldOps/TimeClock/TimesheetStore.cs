using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.FieldOps.TimeClock;

internal sealed record StoredTimesheet
{
    public Guid Id { get; init; }

    public Guid TechnicianId { get; init; }

    public DateOnly PeriodStart { get; init; }

    public DateOnly PeriodEnd { get; init; }

    public string Status { get; init; } = "draft";

    public string Days { get; init; } = "[]";

    public decimal RegularHours { get; init; }

    public decimal OvertimeHours { get; init; }

    public string? Note { get; init; }

    public string? ApprovedBy { get; init; }

    public DateTimeOffset? ApprovedAt { get; init; }

    public int Version { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>The SQL of timesheets.</summary>
internal static class TimesheetStore
{
    private const string Columns = """
        id AS Id, technician_id AS TechnicianId, period_start AS PeriodStart, period_end AS PeriodEnd, status AS Status, days::text AS Days,
        regular_hours AS RegularHours, overtime_hours AS OvertimeHours, note AS Note, approved_by AS ApprovedBy, approved_at AS ApprovedAt,
        version AS Version, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    // Recomputing a draft replaces its figures; an approved timesheet is never touched (the WHERE leaves it as it is).
    private const string UpsertDraftSql = """
        INSERT INTO timesheets (id, tenant_id, technician_id, period_start, period_end, status, days, regular_hours, overtime_hours, created_at, updated_at)
        VALUES (@Id, @TenantId, @TechnicianId, @PeriodStart, @PeriodEnd, 'draft', @Days::jsonb, @RegularHours, @OvertimeHours, @Now, @Now)
        ON CONFLICT (tenant_id, technician_id, period_start) DO UPDATE
            SET period_end = excluded.period_end, days = excluded.days, regular_hours = excluded.regular_hours,
                overtime_hours = excluded.overtime_hours, version = timesheets.version + 1, updated_at = excluded.updated_at
            WHERE timesheets.status = 'draft'
        RETURNING id
        """;

    private const string ByIdSql = $"SELECT {Columns} FROM timesheets WHERE id = @Id AND (@Technician::uuid IS NULL OR technician_id = @Technician)";

    private const string ByIdForUpdateSql = $"SELECT {Columns} FROM timesheets WHERE id = @Id FOR UPDATE";

    private const string ByPeriodSql = $"SELECT {Columns} FROM timesheets WHERE technician_id = @TechnicianId AND period_start = @PeriodStart";

    private const string PageSql = $"""
        SELECT {Columns} FROM timesheets
        WHERE (@Before::uuid IS NULL OR id < @Before) AND (@Technician::uuid IS NULL OR technician_id = @Technician)
          AND (@Status::text IS NULL OR status = @Status)
        ORDER BY id DESC LIMIT @Limit
        """;

    private const string NoteSql = "UPDATE timesheets SET note = @Note, version = version + 1, updated_at = @Now WHERE id = @Id AND status = 'draft'";

    private const string ApproveSql = """
        UPDATE timesheets SET status = 'approved', approved_by = @Actor, approved_at = @Now, version = version + 1, updated_at = @Now
        WHERE id = @Id AND status = 'draft'
        """;

    private const string ApprovedOnSql = """
        SELECT id FROM timesheets
        WHERE technician_id = @TechnicianId AND status = 'approved' AND period_start <= @Date AND period_end >= @Date
        LIMIT 1
        """;

    public static Task<Guid?> UpsertDraftAsync(DbTransactionScope scope, Guid tenantId, StoredTimesheet sheet, DateTimeOffset now) =>
        scope.Connection.QuerySingleOrDefaultAsync<Guid?>(scope.Command(UpsertDraftSql, new
        {
            sheet.Id, TenantId = tenantId, sheet.TechnicianId, sheet.PeriodStart, sheet.PeriodEnd, sheet.Days, sheet.RegularHours, sheet.OvertimeHours, Now = now,
        }));

    public static Task<StoredTimesheet?> FindAsync(DbTransactionScope scope, Guid id, Guid? technician = null) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredTimesheet>(scope.Command(ByIdSql, new { Id = id, Technician = technician }));

    public static Task<StoredTimesheet?> LockAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredTimesheet>(scope.Command(ByIdForUpdateSql, new { Id = id }));

    public static Task<StoredTimesheet?> FindByPeriodAsync(DbTransactionScope scope, Guid technicianId, DateOnly periodStart) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredTimesheet>(scope.Command(ByPeriodSql, new { TechnicianId = technicianId, PeriodStart = periodStart }));

    public static async Task<IReadOnlyList<StoredTimesheet>> PageAsync(DbTransactionScope scope, Guid? technician, string? status, Guid? before, int limit) =>
        (await scope.Connection.QueryAsync<StoredTimesheet>(scope.Command(PageSql, new { Technician = technician, Status = status, Before = before, Limit = limit }))).ToList();

    public static async Task<bool> SetNoteAsync(DbTransactionScope scope, Guid id, string? note, DateTimeOffset now) =>
        await scope.Connection.ExecuteAsync(scope.Command(NoteSql, new { Id = id, Note = note, Now = now })) == 1;

    public static async Task<bool> ApproveAsync(DbTransactionScope scope, Guid id, string actor, DateTimeOffset now) =>
        await scope.Connection.ExecuteAsync(scope.Command(ApproveSql, new { Id = id, Actor = actor, Now = now })) == 1;

    public static Task<Guid?> ApprovedOnAsync(DbTransactionScope scope, Guid technicianId, DateOnly date) =>
        scope.Connection.QuerySingleOrDefaultAsync<Guid?>(scope.Command(ApprovedOnSql, new { TechnicianId = technicianId, Date = date }));
}
