using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Outbox;

internal static class WorkOutboxStore
{
    // NOTIFY is delivered at commit, and not at all on rollback: listeners wake exactly for committed work.
    private const string InsertSql = """
        INSERT INTO work_outbox (task_hub, tenant_id, kind, subject_id) VALUES (@TaskHub, @TenantId, @Kind, @SubjectId);
        SELECT pg_notify('work_outbox', '');
        """;

    private const string InsertManySql = """
        INSERT INTO work_outbox (task_hub, tenant_id, kind, subject_id)
        SELECT @TaskHub, @TenantId, @Kind, subject FROM unnest(@SubjectIds) AS subject;
        SELECT pg_notify('work_outbox', '');
        """;

    private const string ClaimSql = """
        SELECT claimed_id AS Id, claimed_tenant_id AS TenantId, claimed_kind AS Kind, claimed_subject_id AS SubjectId
        FROM work_outbox_claim(@TaskHub, @Limit, @LeaseSeconds)
        """;

    private const string CompleteSql = "SELECT work_outbox_complete(@Ids)";

    public static Task InsertAsync(DbTransactionScope scope, string taskHub, Guid tenantId, string kind, Guid subjectId) =>
        scope.ExecuteAsync(InsertSql, new { TaskHub = taskHub, TenantId = tenantId, Kind = kind, SubjectId = subjectId }, resultSets: 1);

    public static Task InsertManyAsync(DbTransactionScope scope, string taskHub, Guid tenantId, string kind, Guid[] subjectIds) =>
        scope.ExecuteAsync(InsertManySql, new { TaskHub = taskHub, TenantId = tenantId, Kind = kind, SubjectIds = subjectIds }, resultSets: 1);

    /// <summary>Across tenants (SECURITY DEFINER): leases up to <paramref name="limit"/> rows no one else holds.</summary>
    public static async Task<IReadOnlyList<WorkItem>> ClaimAsync(DbTransactionScope scope, string taskHub, int limit, int leaseSeconds) =>
        (await scope.Connection.QueryAsync<WorkItem>(scope.Command(ClaimSql, new { TaskHub = taskHub, Limit = limit, LeaseSeconds = leaseSeconds }))).ToList();

    public static Task<int> CompleteAsync(DbTransactionScope scope, long[] ids) =>
        scope.Connection.ExecuteScalarAsync<int>(scope.Command(CompleteSql, new { Ids = ids }));
}
