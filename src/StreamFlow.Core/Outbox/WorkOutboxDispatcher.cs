using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Outbox;

/// <summary>Starts claimed work on the durable backend; answers the ids it started (or found already started).</summary>
public interface IWorkStarter
{
    Task<IReadOnlyList<long>> StartAsync(IReadOnlyList<WorkItem> items, CancellationToken cancellationToken);
}

/// <summary>
/// Turns committed <c>work_outbox</c> rows into started durable work: claims a batch (FOR UPDATE SKIP LOCKED, so two
/// hosts never hold the same row), starts it, removes what started. What failed to start keeps its claim until the
/// lease runs out and is tried again then; a dispatcher that dies mid-batch leaves its rows to the next one.
/// </summary>
public sealed class WorkOutboxDispatcher(StreamFlowDatabase database, IOptions<WorkOutboxOptions> options, ILogger<WorkOutboxDispatcher> logger)
{
    /// <summary>Dispatches until the outbox holds nothing claimable; returns how many items were started.</summary>
    public async Task<int> DispatchPendingAsync(IWorkStarter starter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(starter);
        var settings = options.Value;
        var leaseSeconds = (int)Math.Ceiling(settings.ClaimLease.TotalSeconds);
        var started = await DispatchPlatformAsync(starter, settings, leaseSeconds, cancellationToken);
        while (true)
        {
            var claimed = await database.InPlatformAsync(scope => WorkOutboxStore.ClaimAsync(scope, settings.TaskHub, settings.BatchSize, leaseSeconds), cancellationToken);
            if (claimed.Count == 0)
            {
                return started;
            }

            var done = await starter.StartAsync(claimed, cancellationToken);
            if (done.Count > 0)
            {
                await database.InPlatformAsync(scope => WorkOutboxStore.CompleteAsync(scope, done.ToArray()), cancellationToken);
            }

            started += done.Count;
            logger.LogInformation("Started {Started} of {Claimed} outbox work items", done.Count, claimed.Count);
            if (claimed.Count < settings.BatchSize || done.Count < claimed.Count)
            {
                // A short batch means the outbox is drained; failures wait for their lease to run out.
                return started;
            }
        }
    }

    /// <summary>Platform operations (<c>platform_operations</c>: backups, restores, self-tests) are few: one batch a pass.</summary>
    private async Task<int> DispatchPlatformAsync(IWorkStarter starter, WorkOutboxOptions settings, int leaseSeconds, CancellationToken cancellationToken)
    {
        var claimed = await database.InPlatformAsync(scope => PlatformOperationStore.ClaimAsync(scope, settings.TaskHub, settings.BatchSize, leaseSeconds), cancellationToken);
        if (claimed.Count == 0)
        {
            return 0;
        }

        var done = await starter.StartAsync(claimed, cancellationToken);
        if (done.Count > 0)
        {
            await database.InPlatformAsync(scope => PlatformOperationStore.CompleteAsync(scope, done.ToArray()), cancellationToken);
        }

        logger.LogInformation("Started {Started} of {Claimed} platform operations", done.Count, claimed.Count);
        return done.Count;
    }
}
