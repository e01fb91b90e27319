using Microsoft.DurableTask;
using StreamFlow.Core.Backups;

namespace StreamFlow.Orchestrations.Backups;

/// <summary>
/// Restores a backup into a new database. The restore runs as one streaming activity; meanwhile the orchestration polls
/// its progress on a durable timer and publishes it as custom status (tables done of total, rows restored of total).
/// </summary>
public sealed class RestoreOrchestrator : TaskOrchestrator<RestoreOrchestrationInput, RestoreSummary>
{
    // Only infrastructure failures are worth a retry; a missing backup, an existing target or a damaged backup are not.
    private static readonly TaskOptions RestoreRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 2, firstRetryInterval: TimeSpan.FromSeconds(30))
    {
        HandleFailure = failure => !failure.IsCausedBy<BackupRestoreException>()
            && !failure.IsCausedBy<BackupIntegrityException>()
            && !failure.IsCausedBy<BackupKeyNotFoundException>(),
    });

    public override async Task<RestoreSummary> RunAsync(TaskOrchestrationContext context, RestoreOrchestrationInput input)
    {
        var job = new RestoreJob(context.InstanceId, input.BackupId, input.TargetDatabase, input.RequestedBy);
        var progressInterval = TimeSpan.FromSeconds(Math.Clamp(input.ProgressIntervalSeconds, 0.05, 60));
        var restore = context.CallActivityAsync<RestoreSummary>(TaskNames.RestoreBackup, job, RestoreRetry);
        while (!restore.IsCompleted)
        {
            using var tick = new CancellationTokenSource();
            var timer = context.CreateTimer(context.CurrentUtcDateTime + progressInterval, tick.Token);
            if (await Task.WhenAny(restore, timer) == restore)
            {
                // Synchronously: CancelAsync would resume the orchestrator off its own scheduler, and it would never finish.
                tick.Cancel();
                break;
            }

            var progress = await context.CallActivityAsync<RestoreProgress?>(TaskNames.ReadRestoreProgress, context.InstanceId);
            if (progress is not null)
            {
                context.SetCustomStatus(progress);
            }
        }

        try
        {
            var summary = await restore;
            context.SetCustomStatus(await context.CallActivityAsync<RestoreProgress?>(TaskNames.ReadRestoreProgress, context.InstanceId));
            return summary;
        }
        catch (TaskFailedException failure)
        {
            context.SetCustomStatus(await context.CallActivityAsync<RestoreProgress?>(TaskNames.ReadRestoreProgress, context.InstanceId));
            throw new BackupOrchestrationException($"Restoring backup {input.BackupId} into {input.TargetDatabase} failed: {failure.FailureDetails.ErrorMessage}");
        }
    }
}
