using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Outbox;

internal static class PlatformOperationStore
{
    // The work outbox's channel: one listener wakes for tenant and platform work alike; delivered at commit only.
    private const string InsertSql = """
        INSERT INTO platform_operations (instance_id, kind, input, task_hub) VALUES (@InstanceId, @Kind, @Input::jsonb, @TaskHub)
        ON CONFLICT (instance_id) DO UPDATE SET input = EXCLUDED.input, task_hub = EXCLUDED.task_hub, created_at = now(), claimed_until = NULL, started_at = NULL
        WHERE platform_operations.started_at IS NOT NULL;
        SELECT pg_notify('work_outbox', '');
        """;

    private const string FindSql = """
        SELECT instance_id AS InstanceId, kind AS Kind, created_at AS CreatedAt, started_at AS StartedAt
        FROM platform_operations WHERE instance_id = @InstanceId
        """;

    // SKIP LOCKED: two dispatchers claiming at once get disjoint rows.
    private const string ClaimSql = """
        UPDATE platform_operations AS p
        SET claimed_until = now() + make_interval(secs => GREATEST(@LeaseSeconds, 1))
        FROM (
            SELECT candidate.id
            FROM platform_operations AS candidate
            WHERE candidate.task_hub = @TaskHub AND candidate.started_at IS NULL
              AND (candidate.claimed_until IS NULL OR candidate.claimed_until < now())
            ORDER BY candidate.id
            LIMIT LEAST(GREATEST(@Limit, 0), 1000)
            FOR UPDATE SKIP LOCKED
        ) AS claimable
        WHERE p.id = claimable.id
        RETURNING p.id AS Id, p.kind AS Kind, p.instance_id AS InstanceId, p.input::text AS Input
        """;

    private const string CompleteSql = """
        UPDATE platform_operations SET started_at = now(), claimed_until = NULL
        WHERE id = ANY(@Ids) AND started_at IS NULL AND claimed_until IS NOT NULL
        """;

    public static Task InsertAsync(DbTransactionScope scope, string taskHub, string kind, string instanceId, string input) =>
        scope.ExecuteAsync(InsertSql, new { TaskHub = taskHub, Kind = kind, InstanceId = instanceId, Input = input }, resultSets: 1);

    public static Task<PlatformOperation?> FindAsync(DbTransactionScope scope, string instanceId) =>
        scope.QuerySingleOrDefaultAsync<PlatformOperation>(FindSql, new { InstanceId = instanceId });

    public static async Task<IReadOnlyList<WorkItem>> ClaimAsync(DbTransactionScope scope, string taskHub, int limit, int leaseSeconds) =>
        (await scope.Connection.QueryAsync<ClaimedRow>(scope.Command(ClaimSql, new { TaskHub = taskHub, Limit = limit, LeaseSeconds = leaseSeconds })))
            .Select(row => new WorkItem(row.Id, Guid.Empty, row.Kind, Guid.Empty) { InstanceId = row.InstanceId, Input = row.Input })
            .ToList();

    public static Task<int> CompleteAsync(DbTransactionScope scope, long[] ids) =>
        scope.Connection.ExecuteAsync(scope.Command(CompleteSql, new { Ids = ids }));

    private sealed class ClaimedRow
    {
        public long Id { get; init; }
        public string Kind { get; init; } = "";
        public string InstanceId { get; init; } = "";
        public string Input { get; init; } = "";
    }
}
