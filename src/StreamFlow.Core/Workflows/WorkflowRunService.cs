using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NCrontab;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Outbox;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.Core.Workflows;

/// <summary>
/// Runs as the API and the hosts see them: the run log (list per workflow, one run with its steps), starting queued runs
/// (their leading steps here, the rest handed to the work outbox, whose task hub runs them as durable orchestrations),
/// and queuing scheduled runs.
/// </summary>
public sealed class WorkflowRunService(
    StreamFlowDatabase database, WorkOutbox workOutbox, WorkflowRunner runner, WorkflowBatchStarter batchStarter, IOptions<WorkflowOptions> options,
    TimeProvider timeProvider, ILogger<WorkflowRunService> logger)
{
    public const int MaxListed = 200;

    /// <summary>
    /// The workflow's runs, newest first, <paramref name="limit"/> a page (<see cref="MaxListed"/> when not asked), optionally
    /// of one status; <paramref name="cursor"/> is a previous page's <c>nextCursor</c>.
    /// </summary>
    public Task<Result<WorkflowRunList>> ListAsync(
        Guid tenantId, Guid workflowId, string? status, CancellationToken cancellationToken, int limit = MaxListed, string? cursor = null)
    {
        (DateTimeOffset, Guid)? after = null;
        if (cursor is not null)
        {
            if (!Cursor.TryDecode(cursor, 200, out var key) || key.Split('|') is not [var ticks, var id]
                || !long.TryParse(ticks, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var utcTicks)
                || utcTicks > DateTimeOffset.MaxValue.UtcTicks || !Guid.TryParse(id, out var runId))
            {
                return Task.FromResult<Result<WorkflowRunList>>(Problem.Validation("cursor", Cursor.NotOurs));
            }

            after = (new DateTimeOffset(utcTicks, TimeSpan.Zero), runId);
        }

        if (status is not (null or "queued" or "dispatched" or "running" or "waiting" or "completed" or "skipped" or "failed" or "cancelled"))
        {
            return Task.FromResult<Result<WorkflowRunList>>(
                Problem.Validation("status", "must be queued, dispatched, running, waiting, completed, skipped, failed or cancelled."));
        }

        return database.InTenantAsync(tenantId, async scope =>
        {
            // A deleted workflow's runs stay readable.
            if (!await WorkflowStore.EverExistedAsync(scope, workflowId))
            {
                return (Result<WorkflowRunList>)Problem.NotFound("The workflow");
            }

            var rows = await WorkflowRunStore.ListAsync(scope, workflowId, status, after, limit + 1);
            var next = rows.Count > limit
                ? Cursor.Encode(FormattableString.Invariant($"{rows[limit - 1].QueuedAt.UtcTicks}|{rows[limit - 1].Id}"))
                : null;
            return new WorkflowRunList(rows.Take(limit).Select(r => r.ToSummary()).ToList(), next);
        }, cancellationToken);
    }

    /// <summary>One run and its log: each step's input and result, in order.</summary>
    public Task<Result<WorkflowRunDetail>> GetAsync(Guid tenantId, Guid runId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope =>
        {
            if (await WorkflowRunStore.GetAsync(scope, runId) is not { } run)
            {
                return (Result<WorkflowRunDetail>)Problem.NotFound("The workflow run");
            }

            var steps = await WorkflowRunStore.StepsAsync(scope, runId);
            return new WorkflowRunDetail(run.ToSummary(), [.. steps.Select(s => new WorkflowRunStep(
                s.Path, s.Type, JsonDocument.Parse(s.Input).RootElement.Clone(), s.Status, s.Result, s.Attempts, s.StartedAt, s.FinishedAt))]);
        }, cancellationToken);

    /// <summary>
    /// Starts queued runs: claimed across tenants (FOR UPDATE SKIP LOCKED, so two hosts never take the same run), the
    /// fresh runs of each business begun together in one transaction (<see cref="WorkflowBatchStarter"/>: conditions,
    /// a first wait or branch), the leading actions of the others taken here one by one while the claim's lease holds
    /// (<see cref="WorkflowRunner.StartAsync"/>, within <see cref="WorkflowOptions.InProcessBudget"/> per claim), and every
    /// run that needs the durable engine handed to the work outbox of this host's task hub. A run whose short wait the database now carries is the wake scheduler's
    /// (<see cref="ResumeDueWaitsAsync"/>). Answers how many runs it claimed.
    /// </summary>
    public async Task<int> DispatchQueuedAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var leaseSeconds = (int)Math.Ceiling(settings.ClaimLease.TotalSeconds);
        // The runs taken one by one in a claim are a few rounds of InProcessConcurrency, so that a burst is taken claim after
        // claim within the budget rather than one large claim whose tail would go to the durable engine untouched. Begun
        // together, a claim can be larger: the runs beyond those rounds that must be taken one by one go back to the queue.
        var oneByOnePerClaim = Math.Max(1, settings.InProcessConcurrency) * 8;
        var batchStart = settings.BatchStart && settings.InProcessBudget > TimeSpan.Zero;
        var batchSize = settings.InProcessBudget <= TimeSpan.Zero || batchStart
            ? settings.DispatchBatchSize
            : Math.Min(settings.DispatchBatchSize, oneByOnePerClaim);
        var dispatched = 0;
        while (true)
        {
            var claimed = await database.InPlatformAsync(scope => WorkflowRunStore.ClaimAsync(scope, batchSize, leaseSeconds), cancellationToken);
            var budget = System.Diagnostics.Stopwatch.StartNew();
            var room = oneByOnePerClaim;
            var requeued = 0;
            foreach (var tenant in claimed.GroupBy(c => c.TenantId))
            {
                var batch = batchStart
                    ? await StartTogetherAsync(tenant.Key, [.. tenant.Select(c => c.RunId)], cancellationToken)
                    : WorkflowBatchStart.None;
                var unsettled = tenant.Select(c => c.RunId).Where(id => !batch.Settled.Contains(id)).ToArray();
                var ids = unsettled.Take(room).ToArray();
                room -= ids.Length;
                if (unsettled.Length > ids.Length)
                {
                    var later = unsettled[ids.Length..];
                    await database.InTenantAsync(tenant.Key, async scope =>
                    {
                        await WorkflowRunStore.UnclaimAsync(scope, later);
                        return true;
                    }, cancellationToken);
                    requeued += later.Length;
                }

                if (ids.Length == 0)
                {
                    continue;
                }

                var inProcess = new System.Collections.Concurrent.ConcurrentDictionary<Guid, WorkflowRunProgress>();
                await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, settings.InProcessConcurrency), CancellationToken = cancellationToken },
                    async (id, token) =>
                    {
                        if (budget.Elapsed < settings.InProcessBudget)
                        {
                            inProcess[id] = await ProgressInProcessAsync(() => batch.BegunWithActions.TryGetValue(id, out var steps)
                                ? runner.ContinueStartAsync(tenant.Key, id, steps, token)
                                : runner.StartAsync(tenant.Key, id, token), id) ?? WorkflowRunProgress.HandOver;
                        }
                    });

                await database.InTenantBatchedAsync(tenant.Key, async scope =>
                {
                    foreach (var id in ids.Where(id => inProcess.GetValueOrDefault(id, WorkflowRunProgress.HandOver) == WorkflowRunProgress.HandOver))
                    {
                        await workOutbox.AddAsync(scope, tenant.Key, WorkKinds.WorkflowRun, id);
                    }

                    await WorkflowRunStore.MarkHandedOverAsync(scope, ids, timeProvider.GetUtcNow());
                    return true;
                }, cancellationToken);
            }

            dispatched += claimed.Count - requeued;
            if (claimed.Count < batchSize && requeued == 0)
            {
                return dispatched;
            }
        }
    }

    /// <summary>
    /// The claim's fresh runs of one business begun in one transaction; should that fail, none is, and each is started one
    /// by one as before.
    /// </summary>
    private async Task<WorkflowBatchStart> StartTogetherAsync(Guid tenantId, Guid[] runIds, CancellationToken cancellationToken)
    {
        try
        {
            return await batchStarter.StartAsync(tenantId, runIds, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "Beginning {Count} workflow runs of tenant {TenantId} together failed; they are started one by one", runIds.Length, tenantId);
            return WorkflowBatchStart.None;
        }
    }

    /// <summary>
    /// The wake scheduler's pass: claims the runs whose database-carried wait is due by this host's clock (across tenants,
    /// FOR UPDATE SKIP LOCKED with a lease of <see cref="WorkflowOptions.ClaimLease"/>, so each is resumed by one host, and
    /// again by another if its host dies before releasing it), ends their waits (one transaction per business and claim),
    /// then takes the steps after each
    /// (<see cref="WorkflowRunner.ResumeAfterWaitAsync"/>); a run that needs the durable engine from there goes to the work
    /// outbox. Answers how many runs it resumed. <paramref name="onlyTenant"/> keeps the pass to one business (the
    /// integration tests, which share their database with other suites).
    /// </summary>
    public async Task<int> ResumeDueWaitsAsync(CancellationToken cancellationToken, Guid? onlyTenant = null)
    {
        var concurrency = Math.Max(1, options.Value.InProcessConcurrency);
        var resumed = 0;
        while (true)
        {
            var woken = await WakeDueAsync(concurrency * 8, cancellationToken, onlyTenant);
            await Parallel.ForEachAsync(woken, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
                async (wait, token) => await ContinueAfterWakeAsync(wait, token));
            resumed += woken.Count;
            if (woken.Count < concurrency * 8)
            {
                return resumed;
            }
        }
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> runs whose database-carried wait is due by this host's clock and ends their
    /// waits, one transaction per business; the steps after them are the caller's (<see cref="ContinueAfterWakeAsync"/>)
    /// while the claim's lease holds.
    /// </summary>
    public async Task<IReadOnlyList<WorkflowDueWait>> WakeDueAsync(int limit, CancellationToken cancellationToken, Guid? onlyTenant = null)
    {
        var claimed = await ClaimDueWaitsAsync(limit, cancellationToken, onlyTenant);
        foreach (var tenant in claimed.GroupBy(c => c.TenantId))
        {
            await database.InTenantAsync(tenant.Key, async scope =>
            {
                await WorkflowRunStore.EndDueWaitsAsync(scope, [.. tenant.Select(c => c.RunId)], timeProvider.GetUtcNow());
                return true;
            }, cancellationToken);
        }

        return claimed;
    }

    /// <summary>
    /// Takes the steps after a woken wait (<see cref="WorkflowRunner.ResumeAfterWaitAsync"/>) and releases the claim; a
    /// run that needs the durable engine from there goes to the work outbox. A fault leaves the claim to run out: some
    /// host resumes the run again from its log.
    /// </summary>
    public async Task ContinueAfterWakeAsync(WorkflowDueWait wait, CancellationToken cancellationToken)
    {
        var progress = await ProgressInProcessAsync(() => runner.ResumeAfterWaitAsync(wait.TenantId, wait.RunId, wait.Path, cancellationToken), wait.RunId, faultLeavesClaim: true);
        if (progress is not { } settled)
        {
            return;
        }

        await database.InTenantAsync(wait.TenantId, async scope =>
        {
            if (settled == WorkflowRunProgress.HandOver)
            {
                await workOutbox.AddAsync(scope, wait.TenantId, WorkKinds.WorkflowRun, wait.RunId);
            }

            if (settled == WorkflowRunProgress.WaitScheduled)
            {
                // Still this wait (not due by this host's clock after all): claimable again at once. A next wait has
                // another path and was released when it was planned.
                await WorkflowRunStore.UnclaimWakeAsync(scope, wait.RunId, wait.Path);
            }
            else
            {
                await WorkflowRunStore.ReleaseWakeAsync(scope, wait.RunId, wait.Path);
            }

            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Extends the claims of wake-ups still in hand (woken, the steps after them not yet taken) by
    /// <see cref="WorkflowOptions.ClaimLease"/> from now, one transaction per business, so that a host holding many
    /// wake-ups keeps them while it is alive; a host that dies renews nothing and its claims run out as before. Only
    /// claims still this host's are renewed (same wait, lease not run out); answers those, so that the caller leaves
    /// the others to whichever host claims them next.
    /// </summary>
    public async Task<IReadOnlySet<Guid>> RenewWakeClaimsAsync(IReadOnlyCollection<WorkflowDueWait> inHand, CancellationToken cancellationToken)
    {
        var renewed = new HashSet<Guid>();
        foreach (var tenant in inHand.GroupBy(w => w.TenantId))
        {
            var now = timeProvider.GetUtcNow();
            var ids = await database.InTenantAsync(tenant.Key, scope => WorkflowRunStore.RenewWakeClaimsAsync(
                scope, [.. tenant.Select(w => w.RunId)], [.. tenant.Select(w => w.Path)], now, now + options.Value.ClaimLease), cancellationToken);
            renewed.UnionWith(ids);
        }

        return renewed;
    }

    /// <summary>When the wake scheduler has something to do next (a wait due, or a claim of a host that may have died running out), if ever.</summary>
    public Task<DateTimeOffset?> NextWaitDueAsync(CancellationToken cancellationToken) =>
        database.InPlatformAsync(WorkflowRunStore.NextWaitDueAsync, cancellationToken);

    /// <summary>Leases the runs whose database-carried wait is due by this host's clock (a host that dies holding them loses them for the lease).</summary>
    internal Task<IReadOnlyList<WorkflowDueWait>> ClaimDueWaitsAsync(int limit, CancellationToken cancellationToken, Guid? onlyTenant = null) =>
        database.InPlatformAsync(scope => WorkflowRunStore.ClaimDueWaitsAsync(
            scope, limit, (int)Math.Ceiling(options.Value.ClaimLease.TotalSeconds), timeProvider.GetUtcNow(), onlyTenant), cancellationToken);

    /// <summary>
    /// Passes on the wake-ups of runs waiting on a condition about a lead that changed (marked in the change's
    /// transaction, migration 0250): taken across tenants in batches and handed to the work outbox, which raises an event
    /// to each run's orchestration so that it checks its condition now rather than at its next poll. Answers how many.
    /// </summary>
    public async Task<int> PassOnWakesAsync(CancellationToken cancellationToken)
    {
        var batchSize = options.Value.DispatchBatchSize;
        var woken = 0;
        while (true)
        {
            var claimed = await database.InPlatformAsync(scope => WorkflowRunStore.ClaimWakesAsync(scope, batchSize), cancellationToken);
            foreach (var tenant in claimed.GroupBy(c => c.TenantId))
            {
                await database.InTenantAsync(tenant.Key, async scope =>
                {
                    await workOutbox.AddManyAsync(scope, tenant.Key, WorkKinds.WorkflowRunWake, [.. tenant.Select(c => c.RunId)]);
                    return true;
                }, cancellationToken);
            }

            woken += claimed.Count;
            if (claimed.Count < batchSize)
            {
                return woken;
            }
        }
    }

    /// <summary>
    /// Where a run stands after its steps in process. A fault at the start leaves the run to the durable orchestration,
    /// which picks up from the log; one after a wait (<paramref name="faultLeavesClaim"/>, null) leaves the claim to run
    /// out, and the wake scheduler of some host resumes the run again from its log.
    /// </summary>
    private async Task<WorkflowRunProgress?> ProgressInProcessAsync(Func<Task<WorkflowRunProgress>> progress, Guid runId, bool faultLeavesClaim = false)
    {
        try
        {
            return await progress();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, faultLeavesClaim
                ? "Resuming workflow run {RunId} after its wait failed; it is resumed again when its claim runs out"
                : "Starting workflow run {RunId} in process failed; the durable orchestration takes it on", runId);
            return faultLeavesClaim ? null : WorkflowRunProgress.HandOver;
        }
    }

    /// <summary>
    /// Deletes, in every business, the runs that ended (completed, skipped, failed, cancelled) more than
    /// <see cref="WorkflowOptions.RunRetention"/> ago, with their logs; runs still queued, running or waiting are kept
    /// however old. Answers how many it deleted. A business whose purge fails is logged and left for the next day.
    /// </summary>
    public async Task<int> PurgeEndedRunsAsync(CancellationToken cancellationToken)
    {
        var cutoff = timeProvider.GetUtcNow() - options.Value.RunRetention;
        var purged = 0;
        foreach (var tenantId in await database.InPlatformAsync(TenantStore.ActiveIdsAsync, cancellationToken))
        {
            try
            {
                purged += await PurgeEndedRunsAsync(tenantId, cutoff, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "Deleting the old workflow runs of tenant {TenantId} failed", tenantId);
            }
        }

        return purged;
    }

    /// <summary>One business's ended runs that finished before <paramref name="cutoff"/>, deleted a batch per transaction.</summary>
    internal async Task<int> PurgeEndedRunsAsync(Guid tenantId, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        const int Batch = 1000;
        var purged = 0;
        while (true)
        {
            var deleted = await database.InTenantAsync(tenantId, scope => WorkflowRunStore.PurgeAsync(scope, cutoff, Batch), cancellationToken);
            purged += deleted;
            if (deleted < Batch)
            {
                return purged;
            }
        }
    }

    /// <summary>
    /// Queues one run per schedule-triggered workflow whose latest occurrence fell within the last <paramref name="window"/>;
    /// the occurrence is the run's trigger key, so a timer that fires twice (or two hosts) queue it once.
    /// </summary>
    public async Task<int> QueueScheduledAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var tenantIds = await database.InPlatformAsync(TenantStore.ActiveIdsAsync, cancellationToken);
        var queued = 0;
        foreach (var tenantId in tenantIds)
        {
            try
            {
                queued += await database.InTenantAsync(tenantId, async scope =>
                {
                    var count = 0;
                    foreach (var (id, version, schedule) in await WorkflowRunStore.ScheduledAsync(scope))
                    {
                        var cron = CrontabSchedule.TryParse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
                        var occurrence = cron?.GetNextOccurrences(now - window, now.AddTicks(1)).LastOrDefault();
                        if (occurrence is { } at && at != default)
                        {
                            await WorkflowRunStore.QueueScheduledAsync(scope, tenantId, id, version, $"schedule:{at:yyyy-MM-ddTHH:mm:ssZ}");
                            count++;
                        }
                    }

                    return count;
                }, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "Queuing the scheduled workflows of tenant {TenantId} failed", tenantId);
            }
        }

        return queued;
    }
}
