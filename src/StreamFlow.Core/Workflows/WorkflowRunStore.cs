using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Workflows;

internal sealed record WorkflowRunRow(
    Guid Id, Guid WorkflowId, int Version, string TriggerKey, string? EventType, Guid? LeadId, int Depth, string Status, string? Reason,
    DateTimeOffset QueuedAt, DateTimeOffset? StartedAt, DateTimeOffset? FirstStepAt, DateTimeOffset? FinishedAt)
{
    public WorkflowRunSummary ToSummary() =>
        new(Id, WorkflowId, Version, TriggerKey, EventType, LeadId, Depth, Status, Reason, QueuedAt, StartedAt, FirstStepAt, FinishedAt);
}

internal sealed record WorkflowRunStepRow(
    string Path, string Type, string Input, string Status, string? Result, int Attempts, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt);

internal sealed record ClaimedRun(Guid TenantId, Guid RunId);

internal sealed record CancelledRun(Guid Id, bool HandedOver);

/// <summary>A run still queued with nothing logged, with its pinned version's definition: one a batch start may begin.</summary>
internal sealed record FreshRun(Guid Id, string TriggerKey, Guid? LeadId, int Depth, string Definition);


/// <summary>The SQL of workflow runs and their step log; tenant methods run in the caller's tenant transaction.</summary>
internal static class WorkflowRunStore
{
    private const string Columns = """
        id AS Id, workflow_id AS WorkflowId, version AS Version, trigger_key AS TriggerKey, event_type AS EventType, lead_id AS LeadId,
        depth AS Depth, status AS Status, reason AS Reason, queued_at AS QueuedAt, started_at AS StartedAt, first_step_at AS FirstStepAt,
        finished_at AS FinishedAt
        """;

    private const string ClaimSql = "SELECT claimed_tenant_id AS TenantId, claimed_run_id AS RunId FROM workflow_claim_queued_runs(@Limit, @LeaseSeconds)";

    // A run begun in process keeps its status (running, waiting, or over); a queued one becomes dispatched.
    private const string MarkHandedOverSql = """
        UPDATE workflow_runs SET status = CASE WHEN status = 'queued' THEN 'dispatched' ELSE status END, claimed_until = NULL, handed_over_at = @Now
        WHERE id = ANY(@Ids) AND handed_over_at IS NULL
        """;

    // Locked in id order, so that two writers of many runs (a batch start, a deletion) never wait on each other in a circle;
    // a run cancelled or begun meanwhile drops out when its lock is granted.
    private const string LockFreshSql = """
        SELECT r.id AS Id, r.trigger_key AS TriggerKey, r.lead_id AS LeadId, r.depth AS Depth, v.definition::text AS Definition
        FROM workflow_runs AS r JOIN workflow_versions AS v ON v.workflow_id = r.workflow_id AND v.version = r.version
        WHERE r.id = ANY(@Ids) AND r.status = 'queued' AND NOT EXISTS (SELECT 1 FROM workflow_run_steps AS s WHERE s.run_id = r.id)
        ORDER BY r.id
        FOR UPDATE OF r
        """;

    private const string EventPayloadsSql = "SELECT id AS Id, payload::text AS Payload FROM webhook_messages WHERE id = ANY(@Ids)";

    // Many runs begun at once, logged as RecordStepSql and SetStatusSql log one: the conditions step (none for a run over
    // the loop limit), then running or skipped with the reason.
    private const string BeginManySql = """
        INSERT INTO workflow_run_steps (tenant_id, run_id, seq, path, type, input, status, result, attempts, started_at, finished_at)
        SELECT @TenantId, u.run_id, 0, 'conditions', 'conditions', CAST(u.input AS jsonb), 'done', u.result, 1, @Now, @Now
        FROM unnest(@Ids::uuid[], @Inputs::text[], @Results::text[]) AS u(run_id, input, result)
        WHERE u.input IS NOT NULL
        ON CONFLICT (run_id, path) DO NOTHING;
        UPDATE workflow_runs AS r SET status = u.status, reason = COALESCE(u.reason, r.reason), started_at = COALESCE(r.started_at, @Now),
            finished_at = CASE WHEN u.status = 'skipped' THEN @Now ELSE r.finished_at END
        FROM unnest(@Ids::uuid[], @Statuses::text[], @Reasons::text[]) AS u(run_id, status, reason)
        WHERE r.id = u.run_id AND r.status = 'queued'
        """;

    // The first step of many runs, a wait, planned at once: logged as waiting with its due time, and, where the database
    // carries it, its wake (as ScheduleWakeSql: the start claim is done with the run).
    private const string PlanFirstWaitsSql = """
        INSERT INTO workflow_run_steps (tenant_id, run_id, seq, path, type, input, status, result, attempts, started_at, finished_at)
        SELECT @TenantId, u.run_id, 1, 'steps[0]', 'wait', CAST(u.input AS jsonb), 'waiting', u.result, 1, @Now, NULL
        FROM unnest(@Ids::uuid[], @Inputs::text[], @Results::text[]) AS u(run_id, input, result)
        ON CONFLICT (run_id, path) DO NOTHING;
        UPDATE workflow_runs AS r SET first_step_at = COALESCE(r.first_step_at, @Now), status = 'waiting',
            wake_at = CASE WHEN u.carried THEN u.due_at ELSE r.wake_at END, wake_path = CASE WHEN u.carried THEN 'steps[0]' ELSE r.wake_path END,
            claimed_until = CASE WHEN u.carried THEN NULL ELSE r.claimed_until END,
            handed_over_at = CASE WHEN u.carried THEN COALESCE(r.handed_over_at, @Now) ELSE r.handed_over_at END
        FROM unnest(@Ids::uuid[], @DueAts::timestamptz[], @Carried::boolean[]) AS u(run_id, due_at, carried)
        WHERE r.id = u.run_id AND r.status = 'running'
        """;

    private const string NotifyWaitsSql = "SELECT pg_notify('workflow_waits', '')";

    // Claimed but not taken by this claim (more runs to take one by one than it takes): claimable again at once.
    private const string UnclaimSql = "UPDATE workflow_runs SET claimed_until = NULL WHERE id = ANY(@Ids) AND handed_over_at IS NULL";

    private const string GetSql = $"SELECT {Columns} FROM workflow_runs WHERE id = @Id";

    private const string LockSql = $"SELECT {Columns} FROM workflow_runs WHERE id = @Id FOR UPDATE";

    private const string ListSql = $"""
        SELECT {Columns} FROM workflow_runs WHERE workflow_id = @WorkflowId AND (@Status::text IS NULL OR status = @Status)
            AND (@AfterQueuedAt::timestamptz IS NULL OR (queued_at, id) < (@AfterQueuedAt, @AfterId))
        ORDER BY queued_at DESC, id DESC LIMIT @Limit
        """;

    private const string DefinitionSql = """
        SELECT v.definition::text FROM workflow_versions v WHERE v.workflow_id = @WorkflowId AND v.version = @Version
        """;

    private const string EventPayloadSql = "SELECT payload::text FROM webhook_messages WHERE id = @Id";

    private const string SetStatusSql = """
        UPDATE workflow_runs SET status = @Status, reason = COALESCE(@Reason, reason),
            started_at = CASE WHEN @Status IN ('running', 'skipped') THEN COALESCE(started_at, @Now) ELSE started_at END,
            finished_at = CASE WHEN @Status IN ('completed', 'skipped', 'failed') THEN @Now ELSE finished_at END
        WHERE id = @Id AND status NOT IN ('completed', 'skipped', 'failed', 'cancelled')
        """;

    // The runs of a deleted workflow that have not ended: cancelled, with the reason, in the deletion's transaction; the
    // ones handed to the durable engine have an orchestration to stop. Locked in id order first, as a batch start locks
    // its runs (LockFreshSql), so that the two never wait on each other in a circle.
    private const string CancelRunsSql = """
        WITH locked AS (
            SELECT id FROM workflow_runs WHERE workflow_id = @WorkflowId AND status IN ('queued', 'dispatched', 'running', 'waiting')
            ORDER BY id FOR UPDATE)
        UPDATE workflow_runs SET status = 'cancelled', reason = @Reason, finished_at = @Now, claimed_until = NULL, wake_requested_at = NULL,
            wake_at = NULL, wake_path = NULL
        WHERE id IN (SELECT id FROM locked) AND status IN ('queued', 'dispatched', 'running', 'waiting')
        RETURNING id AS Id, handed_over_at IS NOT NULL AS HandedOver
        """;

    private const string ClaimDueWaitsSql = """
        SELECT claimed_tenant_id AS TenantId, claimed_run_id AS RunId, claimed_path AS Path FROM workflow_claim_due_waits(@Limit, @LeaseSeconds, @DueBy, @OnlyTenant)
        """;

    private const string NextWaitDueSql = "SELECT workflow_next_wait_due()";

    // The wait's due time goes to the database's wake scheduler: the start claim is done with the run (handed_over_at:
    // workflow_claim_queued_runs no longer takes it) and releases it, so the wait is claimable the moment it is due.
    private const string ScheduleWakeSql = """
        UPDATE workflow_runs SET wake_at = @DueAt, wake_path = @Path, claimed_until = NULL, handed_over_at = COALESCE(handed_over_at, @Now)
        WHERE id = @Id AND status NOT IN ('completed', 'skipped', 'failed', 'cancelled');
        SELECT pg_notify('workflow_waits', '');
        """;

    // The run went on past the wait at @Path (ended, waits again elsewhere, or went to the durable engine): that wake and
    // its claim go. A run that planned its next database-carried wait meanwhile has another path and keeps that one.
    private const string ReleaseWakeSql = "UPDATE workflow_runs SET wake_at = NULL, wake_path = NULL, claimed_until = NULL WHERE id = @Id AND wake_path = @Path";

    // The wake-ups of a claim at once: each claimed run's database-carried wait that is due by @Now ends (logged as the
    // orchestration logs it: "Waited until <due>."), and the run is running again. Cancelled runs are left as they are.
    private const string EndDueWaitsSql = """
        WITH ended AS (
            UPDATE workflow_run_steps AS s
            SET status = 'done', finished_at = @Now,
                result = 'Waited until ' || to_char((s.input ->> 'dueAt')::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '.'
            FROM workflow_runs AS r
            WHERE r.id = ANY(@Ids) AND s.run_id = r.id AND s.path = r.wake_path AND s.status = 'waiting'
              AND r.status IN ('waiting', 'running') AND (s.input ->> 'dueAt')::timestamptz <= @Now
            RETURNING s.run_id
        )
        UPDATE workflow_runs SET status = 'running' WHERE id IN (SELECT run_id FROM ended) AND status = 'waiting'
        """;

    // The wait is not due after all by this host's clock: claimable again at once.
    private const string UnclaimWakeSql = "UPDATE workflow_runs SET claimed_until = NULL WHERE id = @Id AND wake_path = @Path";

    // The wake scheduler's claims still in hand (claimed, steps after the wait not yet taken) are extended to @Until,
    // only while they are still this host's: the same wait, and a lease that has not run out (once it has, another host
    // may have claimed the run). Answers the runs renewed.
    private const string RenewWakeClaimsSql = """
        UPDATE workflow_runs AS r SET claimed_until = @Until
        FROM unnest(@Ids::uuid[], @Paths::text[]) AS c(run_id, path)
        WHERE r.id = c.run_id AND r.wake_path = c.path AND r.claimed_until > @Now
        RETURNING r.id
        """;

    private const string ClaimWakesSql = "SELECT claimed_tenant_id AS TenantId, claimed_run_id AS RunId FROM workflow_claim_run_wakes(@Limit)";

    private const string StepsSql = """
        SELECT path AS Path, type AS Type, input::text AS Input, status AS Status, result AS Result, attempts AS Attempts,
               started_at AS StartedAt, finished_at AS FinishedAt
        FROM workflow_run_steps WHERE run_id = @RunId ORDER BY seq
        """;

    private const string StepSql = """
        SELECT path AS Path, type AS Type, input::text AS Input, status AS Status, result AS Result, attempts AS Attempts,
               started_at AS StartedAt, finished_at AS FinishedAt
        FROM workflow_run_steps WHERE run_id = @RunId AND path = @Path
        """;

    // A retried step keeps its row (and place in the log) and counts the attempt; the first step written marks the run.
    // A cancelled run's log ends at the cancellation: a step still under way then is not logged.
    private const string RecordStepSql = """
        INSERT INTO workflow_run_steps (tenant_id, run_id, seq, path, type, input, status, result, attempts, started_at, finished_at)
        SELECT @TenantId, @RunId, (SELECT count(*) FROM workflow_run_steps WHERE run_id = @RunId), @Path, @Type, CAST(@Input AS jsonb),
                @Status, @Result, 1, @Now, CASE WHEN @Status IN ('done', 'failed') THEN @Now END
        WHERE NOT EXISTS (SELECT 1 FROM workflow_runs WHERE id = @RunId AND status = 'cancelled')
        ON CONFLICT (run_id, path) DO UPDATE SET status = EXCLUDED.status, result = EXCLUDED.result,
            attempts = workflow_run_steps.attempts + CASE WHEN workflow_run_steps.status = 'failed' THEN 1 ELSE 0 END,
            finished_at = EXCLUDED.finished_at;
        UPDATE workflow_runs SET first_step_at = COALESCE(first_step_at, @Now),
            status = CASE WHEN @Status = 'waiting' THEN 'waiting' WHEN status = 'waiting' THEN 'running' ELSE status END
        WHERE id = @RunId AND @Path <> 'conditions' AND status NOT IN ('completed', 'skipped', 'failed', 'cancelled')
        """;

    // Ended runs that finished before the cutoff, oldest first, a batch at a time (their steps go with them: ON DELETE CASCADE).
    private const string PurgeSql = """
        DELETE FROM workflow_runs WHERE id IN (
            SELECT id FROM workflow_runs
            WHERE status IN ('completed', 'skipped', 'failed', 'cancelled') AND finished_at < @Cutoff
            ORDER BY finished_at LIMIT @Limit)
        """;

    private const string UserEmailSql = "SELECT email FROM users WHERE id = @Id AND status = 'active'";

    private const string OwnerEmailsSql = "SELECT email FROM users WHERE status = 'active' AND role = 'owner' ORDER BY email";

    private const string WorkflowNameSql = "SELECT name FROM workflows WHERE id = @Id";

    private const string ScheduledSql = """
        SELECT id AS Id, version AS Version, trigger_schedule AS Schedule FROM workflows WHERE enabled AND trigger_schedule IS NOT NULL
        """;

    private const string QueueScheduledSql = """
        INSERT INTO workflow_runs (id, tenant_id, workflow_id, version, trigger_key, depth, status, queued_at)
        VALUES (gen_random_uuid(), @TenantId, @WorkflowId, @Version, @TriggerKey, 0, 'queued', clock_timestamp())
        ON CONFLICT (workflow_id, trigger_key) DO NOTHING;
        SELECT pg_notify('workflow_runs', '');
        """;

    /// <summary>Across tenants (SECURITY DEFINER): leases up to <paramref name="limit"/> queued runs no one else holds.</summary>
    public static async Task<IReadOnlyList<ClaimedRun>> ClaimAsync(DbTransactionScope scope, int limit, int leaseSeconds) =>
        (await scope.Connection.QueryAsync<ClaimedRun>(scope.Command(ClaimSql, new { Limit = limit, LeaseSeconds = leaseSeconds }))).AsList();

    /// <summary>Locks the runs among <paramref name="ids"/> still queued with nothing logged, with their definitions.</summary>
    public static async Task<IReadOnlyList<FreshRun>> LockFreshAsync(DbTransactionScope scope, Guid[] ids) =>
        (await scope.QueryAsync<FreshRun>(LockFreshSql, new { Ids = ids })).AsList();

    /// <summary>The payloads of these events, by id.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> EventPayloadsAsync(DbTransactionScope scope, string[] ids) =>
        ids.Length == 0
            ? new Dictionary<string, string>()
            : (await scope.QueryAsync<(string Id, string Payload)>(EventPayloadsSql, new { Ids = ids })).ToDictionary(e => e.Id, e => e.Payload, StringComparer.Ordinal);

    public static Task BeginManyAsync(
        DbTransactionScope scope, Guid tenantId, List<Guid> ids, List<string?> inputs, List<string?> results, List<string> statuses, List<string?> reasons, DateTimeOffset now) =>
        scope.ExecuteAsync(BeginManySql, new
        {
            TenantId = tenantId, Ids = ids.ToArray(), Inputs = inputs.ToArray(), Results = results.ToArray(), Statuses = statuses.ToArray(),
            Reasons = reasons.ToArray(), Now = now,
        });

    public static async Task PlanFirstWaitsAsync(
        DbTransactionScope scope, Guid tenantId, List<Guid> ids, List<string> inputs, List<string> results, List<DateTimeOffset> dueAts, List<bool> carried, DateTimeOffset now)
    {
        await scope.ExecuteAsync(PlanFirstWaitsSql, new
        {
            TenantId = tenantId, Ids = ids.ToArray(), Inputs = inputs.ToArray(), Results = results.ToArray(), DueAts = dueAts.Select(d => d.ToUniversalTime()).ToArray(), Carried = carried.ToArray(), Now = now,
        });
        if (carried.Contains(true))
        {
            await scope.ExecuteAsync(NotifyWaitsSql, resultSets: 1);
        }
    }

    public static Task UnclaimAsync(DbTransactionScope scope, Guid[] ids) => scope.ExecuteAsync(UnclaimSql, new { Ids = ids });

    public static Task MarkHandedOverAsync(DbTransactionScope scope, Guid[] ids, DateTimeOffset now) => scope.ExecuteAsync(MarkHandedOverSql, new { Ids = ids, Now = now });

    public static Task<WorkflowRunRow?> GetAsync(DbTransactionScope scope, Guid id) => scope.QuerySingleOrDefaultAsync<WorkflowRunRow>(GetSql, new { Id = id });

    public static Task<WorkflowRunRow?> LockAsync(DbTransactionScope scope, Guid id) => scope.QuerySingleOrDefaultAsync<WorkflowRunRow>(LockSql, new { Id = id });

    public static async Task<IReadOnlyList<WorkflowRunRow>> ListAsync(DbTransactionScope scope, Guid workflowId, string? status, (DateTimeOffset QueuedAt, Guid Id)? after, int limit) =>
        (await scope.QueryAsync<WorkflowRunRow>(ListSql, new
        {
            WorkflowId = workflowId, Status = status, AfterQueuedAt = after?.QueuedAt, AfterId = after?.Id ?? Guid.Empty, Limit = limit,
        })).AsList();

    public static Task<string?> DefinitionAsync(DbTransactionScope scope, Guid workflowId, int version) =>
        scope.ExecuteScalarAsync<string>(DefinitionSql, new { WorkflowId = workflowId, Version = version });

    public static Task<string?> EventPayloadAsync(DbTransactionScope scope, string eventId) =>
        scope.ExecuteScalarAsync<string>(EventPayloadSql, new { Id = eventId });

    public static Task SetStatusAsync(DbTransactionScope scope, Guid id, string status, string? reason, DateTimeOffset now) =>
        scope.ExecuteAsync(SetStatusSql, new { Id = id, Status = status, Reason = reason, Now = now });

    public static async Task<IReadOnlyList<CancelledRun>> CancelRunsAsync(DbTransactionScope scope, Guid workflowId, string reason, DateTimeOffset now) =>
        (await scope.QueryAsync<CancelledRun>(CancelRunsSql, new { WorkflowId = workflowId, Reason = reason, Now = now })).AsList();

    /// <summary>Across tenants (SECURITY DEFINER): leases up to <paramref name="limit"/> runs whose database-carried wait is due by <paramref name="dueBy"/>.</summary>
    public static async Task<IReadOnlyList<WorkflowDueWait>> ClaimDueWaitsAsync(DbTransactionScope scope, int limit, int leaseSeconds, DateTimeOffset dueBy, Guid? onlyTenant) =>
        (await scope.Connection.QueryAsync<WorkflowDueWait>(scope.Command(ClaimDueWaitsSql, new { Limit = limit, LeaseSeconds = leaseSeconds, DueBy = dueBy, OnlyTenant = onlyTenant }))).AsList();

    /// <summary>Across tenants (SECURITY DEFINER): the earliest due time of a database-carried wait, or the lease end of a claimed one.</summary>
    public static Task<DateTimeOffset?> NextWaitDueAsync(DbTransactionScope scope) =>
        scope.Connection.ExecuteScalarAsync<DateTimeOffset?>(scope.Command(NextWaitDueSql));

    public static Task ScheduleWakeAsync(DbTransactionScope scope, Guid runId, string path, DateTimeOffset dueAt, DateTimeOffset now) =>
        scope.ExecuteAsync(ScheduleWakeSql, new { Id = runId, Path = path, DueAt = dueAt, Now = now }, resultSets: 1);

    public static Task ReleaseWakeAsync(DbTransactionScope scope, Guid runId, string path) => scope.ExecuteAsync(ReleaseWakeSql, new { Id = runId, Path = path });

    public static Task EndDueWaitsAsync(DbTransactionScope scope, Guid[] runIds, DateTimeOffset now) => scope.ExecuteAsync(EndDueWaitsSql, new { Ids = runIds, Now = now });

    public static async Task<IReadOnlyList<Guid>> RenewWakeClaimsAsync(DbTransactionScope scope, Guid[] runIds, string[] paths, DateTimeOffset now, DateTimeOffset until) =>
        (await scope.QueryAsync<Guid>(RenewWakeClaimsSql, new { Ids = runIds, Paths = paths, Now = now, Until = until })).AsList();

    public static Task UnclaimWakeAsync(DbTransactionScope scope, Guid runId, string path) => scope.ExecuteAsync(UnclaimWakeSql, new { Id = runId, Path = path });

    /// <summary>Across tenants (SECURITY DEFINER): takes up to <paramref name="limit"/> waiting runs whose lead changed since their wake-up was last passed on.</summary>
    public static async Task<IReadOnlyList<ClaimedRun>> ClaimWakesAsync(DbTransactionScope scope, int limit) =>
        (await scope.Connection.QueryAsync<ClaimedRun>(scope.Command(ClaimWakesSql, new { Limit = limit }))).AsList();

    public static async Task<IReadOnlyList<WorkflowRunStepRow>> StepsAsync(DbTransactionScope scope, Guid runId) =>
        (await scope.QueryAsync<WorkflowRunStepRow>(StepsSql, new { RunId = runId })).AsList();

    public static Task<WorkflowRunStepRow?> StepAsync(DbTransactionScope scope, Guid runId, string path) =>
        scope.QuerySingleOrDefaultAsync<WorkflowRunStepRow>(StepSql, new { RunId = runId, Path = path });

    public static Task RecordStepAsync(
        DbTransactionScope scope, Guid tenantId, Guid runId, string path, string type, string inputJson, string status, string? result, DateTimeOffset now) =>
        scope.ExecuteAsync(RecordStepSql, new
        {
            TenantId = tenantId, RunId = runId, Path = path, Type = type, Input = inputJson, Status = status, Result = result, Now = now,
        });

    public static Task<int> PurgeAsync(DbTransactionScope scope, DateTimeOffset cutoff, int limit) =>
        scope.Connection.ExecuteAsync(scope.Command(PurgeSql, new { Cutoff = cutoff, Limit = limit }));

    public static Task<string?> UserEmailAsync(DbTransactionScope scope, Guid userId) => scope.ExecuteScalarAsync<string>(UserEmailSql, new { Id = userId });

    public static async Task<IReadOnlyList<string>> OwnerEmailsAsync(DbTransactionScope scope) => (await scope.QueryAsync<string>(OwnerEmailsSql)).AsList();

    public static Task<string?> WorkflowNameAsync(DbTransactionScope scope, Guid id) => scope.ExecuteScalarAsync<string>(WorkflowNameSql, new { Id = id });

    public static async Task<IReadOnlyList<(Guid Id, int Version, string Schedule)>> ScheduledAsync(DbTransactionScope scope) =>
        (await scope.QueryAsync<(Guid Id, int Version, string Schedule)>(ScheduledSql)).AsList();

    public static Task QueueScheduledAsync(DbTransactionScope scope, Guid tenantId, Guid workflowId, int version, string triggerKey) =>
        scope.ExecuteAsync(QueueScheduledSql, new { TenantId = tenantId, WorkflowId = workflowId, Version = version, TriggerKey = triggerKey }, resultSets: 1);
}
