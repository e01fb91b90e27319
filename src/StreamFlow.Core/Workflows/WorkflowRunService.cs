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
/// Runs as the API and the hosts see them: the run log (list per workflow, one run with its steps), handing queued runs
/// to the work outbox (this host's task hub starts them as durable orchestrations), and queuing scheduled runs.
/// </summary>
public sealed class WorkflowRunService(
    StreamFlowDatabase database, WorkOutbox workOutbox, IOptions<WorkflowOptions> options, TimeProvider timeProvider, ILogger<WorkflowRunService> logger)
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

        if (status is not (null or "queued" or "dispatched" or "running" or "waiting" or "completed" or "skipped" or "failed"))
        {
            return Task.FromResult<Result<WorkflowRunList>>(
                Problem.Validation("status", "must be queued, dispatched, running, waiting, completed, skipped or failed."));
        }

        return database.InTenantAsync(tenantId, async scope =>
        {
            if (await WorkflowStore.GetAsync(scope, workflowId) is null)
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
    /// Moves queued runs into the work outbox of this host's task hub (claimed across tenants, FOR UPDATE SKIP LOCKED, so two
    /// hosts never hand over the same run); answers how many it handed over.
    /// </summary>
    public async Task<int> DispatchQueuedAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var leaseSeconds = (int)Math.Ceiling(settings.ClaimLease.TotalSeconds);
        var dispatched = 0;
        while (true)
        {
            var claimed = await database.InPlatformAsync(scope => WorkflowRunStore.ClaimAsync(scope, settings.DispatchBatchSize, leaseSeconds), cancellationToken);
            foreach (var tenant in claimed.GroupBy(c => c.TenantId))
            {
                var ids = tenant.Select(c => c.RunId).ToArray();
                await database.InTenantBatchedAsync(tenant.Key, async scope =>
                {
                    foreach (var id in ids)
                    {
                        await workOutbox.AddAsync(scope, tenant.Key, WorkKinds.WorkflowRun, id);
                    }

                    await WorkflowRunStore.MarkDispatchedAsync(scope, ids);
                    return true;
                }, cancellationToken);
            }

            dispatched += claimed.Count;
            if (claimed.Count < settings.DispatchBatchSize)
            {
                return dispatched;
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
