using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Connectors.Adp;

/// <summary>What StreamFlow keeps of one ADP worker (table adp_workers).</summary>
internal sealed record AdpWorkerRow(
    string AssociateOid, Guid TechnicianId, string Name, string? WorkEmail, string? JobTitle, string Status, DateOnly? HiredOn, DateOnly? TerminatedOn,
    string? PayrollGroupCode, string? PayrollFileNumber);

/// <summary>An approved timesheet of a technician who came from this connection, with what pay data needs of the worker.</summary>
internal sealed record AdpPayableTimesheet(
    Guid Id, Guid TechnicianId, DateOnly PeriodStart, DateOnly PeriodEnd, decimal RegularHours, decimal OvertimeHours, string AssociateOid,
    string? PayrollGroupCode, string? PayrollFileNumber, string? RegularEarningCode = null, string? OvertimeEarningCode = null);

/// <summary>A worker's own earning codes (null: the connection's).</summary>
internal sealed record AdpStoredEarningCodes(string? RegularEarningCode, string? OvertimeEarningCode);

/// <summary>A timesheet's pay-data claim as the id map holds it.</summary>
internal sealed record AdpPayDataClaim(string ExternalId, string? RemoteStatus, decimal? RemoteAmount, DateTimeOffset UpdatedAt);

/// <summary>
/// The SQL of the ADP connector: its workers, the approved timesheets it exports (read here, so that Connectors depends on
/// no FieldOps class for them), and the claim that makes a timesheet's pay data go out at most once per connection.
/// </summary>
internal static class AdpStore
{
    private const string WorkerColumns = """
        associate_oid AS AssociateOid, technician_id AS TechnicianId, name AS Name, work_email AS WorkEmail, job_title AS JobTitle, status AS Status,
        hired_on AS HiredOn, terminated_on AS TerminatedOn, payroll_group_code AS PayrollGroupCode, payroll_file_number AS PayrollFileNumber
        """;

    private const string WorkersSql = "SELECT " + WorkerColumns + " FROM adp_workers WHERE connection_id = @ConnectionId AND associate_oid = ANY (@Oids)";

    private const string UpsertWorkerSql = """
        INSERT INTO adp_workers (tenant_id, connection_id, associate_oid, technician_id, name, work_email, job_title, status, hired_on, terminated_on,
                                 payroll_group_code, payroll_file_number, updated_at)
        VALUES (@TenantId, @ConnectionId, @AssociateOid, @TechnicianId, @Name, @WorkEmail, @JobTitle, @Status, @HiredOn, @TerminatedOn,
                @PayrollGroupCode, @PayrollFileNumber, @Now)
        ON CONFLICT (tenant_id, connection_id, associate_oid) DO UPDATE SET technician_id = EXCLUDED.technician_id, name = EXCLUDED.name,
            work_email = EXCLUDED.work_email, job_title = EXCLUDED.job_title, status = EXCLUDED.status, hired_on = EXCLUDED.hired_on,
            terminated_on = EXCLUDED.terminated_on, payroll_group_code = EXCLUDED.payroll_group_code,
            payroll_file_number = EXCLUDED.payroll_file_number, updated_at = EXCLUDED.updated_at
        """;

    // Approved timesheets of this connection's workers that no pay data claim covers yet, oldest period first.
    private const string PayableSql = """
        SELECT t.id AS Id, t.technician_id AS TechnicianId, t.period_start AS PeriodStart, t.period_end AS PeriodEnd, t.regular_hours AS RegularHours,
               t.overtime_hours AS OvertimeHours, w.associate_oid AS AssociateOid, w.payroll_group_code AS PayrollGroupCode,
               w.payroll_file_number AS PayrollFileNumber, w.regular_earning_code AS RegularEarningCode, w.overtime_earning_code AS OvertimeEarningCode
        FROM timesheets t
        JOIN adp_workers w ON w.technician_id = t.technician_id AND w.connection_id = @ConnectionId
        WHERE t.status = 'approved'
          AND NOT EXISTS (SELECT 1 FROM connector_records r
                          WHERE r.connection_id = @ConnectionId AND r.entity = 'timesheet' AND r.local_id = t.id)
        ORDER BY t.period_start, t.id
        LIMIT @Limit
        """;

    // The claim is taken before the pay data is sent: a second run (or a crash after ADP accepted but before we recorded
    // it) finds the claim and never sends the same hours twice.
    private const string ClaimSql = """
        INSERT INTO connector_records (tenant_id, connection_id, entity, local_id, external_id, remote_status, remote_amount, created_at, updated_at)
        VALUES (@TenantId, @ConnectionId, 'timesheet', @TimesheetId, @Pending, 'sending', @Hours, @Now, @Now)
        ON CONFLICT DO NOTHING
        """;

    private const string ReleaseSql = """
        DELETE FROM connector_records
        WHERE connection_id = @ConnectionId AND entity = 'timesheet' AND local_id = @TimesheetId AND remote_status = 'sending'
        """;

    private const string UnconfirmedSql = """
        SELECT local_id FROM connector_records
        WHERE connection_id = @ConnectionId AND entity = 'timesheet' AND remote_status = 'sending' AND updated_at < @Before
        ORDER BY local_id LIMIT @Limit
        """;

    private const string SetEarningCodesSql = """
        UPDATE adp_workers SET regular_earning_code = @Regular, overtime_earning_code = @Overtime, updated_at = @Now
        WHERE connection_id = @ConnectionId AND associate_oid = @AssociateOid
        RETURNING regular_earning_code AS RegularEarningCode, overtime_earning_code AS OvertimeEarningCode
        """;

    private const string ClaimOfSql = """
        SELECT external_id AS ExternalId, remote_status AS RemoteStatus, remote_amount AS RemoteAmount, updated_at AS UpdatedAt
        FROM connector_records WHERE connection_id = @ConnectionId AND entity = 'timesheet' AND local_id = @TimesheetId
        FOR UPDATE
        """;

    // A claim left by a lost answer, settled by a person: paid in ADP (kept, so never sent again) ...
    private const string SettleSql = """
        UPDATE connector_records SET external_id = @ExternalId, remote_status = 'paid_elsewhere', updated_at = @Now
        WHERE connection_id = @ConnectionId AND entity = 'timesheet' AND local_id = @TimesheetId AND remote_status = 'sending'
        """;

    public static Task<AdpStoredEarningCodes?> SetEarningCodesAsync(
        DbTransactionScope scope, Guid connectionId, string associateOid, string? regular, string? overtime, DateTimeOffset now) =>
        scope.Connection.QuerySingleOrDefaultAsync<AdpStoredEarningCodes?>(scope.Command(SetEarningCodesSql,
            new { ConnectionId = connectionId, AssociateOid = associateOid, Regular = regular, Overtime = overtime, Now = now }));

    public static Task<AdpPayDataClaim?> LockClaimAsync(DbTransactionScope scope, Guid connectionId, Guid timesheetId) =>
        scope.Connection.QuerySingleOrDefaultAsync<AdpPayDataClaim?>(scope.Command(ClaimOfSql, new { ConnectionId = connectionId, TimesheetId = timesheetId }));

    public static Task SettleAsync(DbTransactionScope scope, Guid connectionId, Guid timesheetId, string externalId, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(SettleSql, new { ConnectionId = connectionId, TimesheetId = timesheetId, ExternalId = externalId, Now = now }));

    public static async Task<IReadOnlyDictionary<string, AdpWorkerRow>> WorkersAsync(DbTransactionScope scope, Guid connectionId, IReadOnlyCollection<string> oids) =>
        (await scope.Connection.QueryAsync<AdpWorkerRow>(scope.Command(WorkersSql, new { ConnectionId = connectionId, Oids = oids.ToArray() })))
            .ToDictionary(w => w.AssociateOid, StringComparer.Ordinal);

    public static Task UpsertWorkerAsync(DbTransactionScope scope, Guid tenantId, Guid connectionId, AdpWorkerRow worker, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(UpsertWorkerSql, new
        {
            TenantId = tenantId, ConnectionId = connectionId, worker.AssociateOid, worker.TechnicianId, worker.Name, worker.WorkEmail, worker.JobTitle,
            worker.Status, worker.HiredOn, worker.TerminatedOn, worker.PayrollGroupCode, worker.PayrollFileNumber, Now = now,
        }));

    public static async Task<IReadOnlyList<AdpPayableTimesheet>> PayableAsync(DbTransactionScope scope, Guid connectionId, int limit) =>
        (await scope.Connection.QueryAsync<AdpPayableTimesheet>(scope.Command(PayableSql, new { ConnectionId = connectionId, Limit = limit }))).ToList();

    public static async Task<bool> ClaimAsync(DbTransactionScope scope, Guid tenantId, Guid connectionId, Guid timesheetId, decimal hours, DateTimeOffset now) =>
        await scope.Connection.ExecuteAsync(scope.Command(ClaimSql, new
        {
            TenantId = tenantId, ConnectionId = connectionId, TimesheetId = timesheetId, Pending = $"pending:{timesheetId:N}", Hours = hours, Now = now,
        })) == 1;

    public static Task ReleaseAsync(DbTransactionScope scope, Guid connectionId, Guid timesheetId) =>
        scope.Connection.ExecuteAsync(scope.Command(ReleaseSql, new { ConnectionId = connectionId, TimesheetId = timesheetId }));

    public static async Task<IReadOnlyList<Guid>> UnconfirmedAsync(DbTransactionScope scope, Guid connectionId, DateTimeOffset before, int limit) =>
        (await scope.Connection.QueryAsync<Guid>(scope.Command(UnconfirmedSql, new { ConnectionId = connectionId, Before = before, Limit = limit }))).ToList();
}
