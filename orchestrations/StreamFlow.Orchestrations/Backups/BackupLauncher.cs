using System.Globalization;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using StreamFlow.Core.Backups;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Outbox;

namespace StreamFlow.Orchestrations.Backups;

/// <summary>Whether the nightly backup was started now or had been started already today.</summary>
public sealed record NightlyBackupStart(string InstanceId, bool Started);

/// <summary>
/// Starts backup and restore orchestrations: the nightly timer through the durable client; the developer routes
/// (<c>POST /api/v1/dev/backups</c>, <c>POST /api/v1/dev/backups/{id}/restore</c>) commit a platform operation that the
/// outbox dispatcher starts, so they answer without waiting on the durable backend.
/// </summary>
public sealed class BackupLauncher(BackupRestoreValidator restoreValidator, PlatformOperations operations)
{
    /// <summary>Commits a backup to be started now; returns the orchestration instance id it will have.</summary>
    public Task<string> StartBackupAsync(string requestedBy, CancellationToken cancellationToken) =>
        operations.AddAsync(PlatformWorkKinds.Backup, $"backup-{Guid.NewGuid():N}", new BackupOrchestrationInput(requestedBy), cancellationToken);

    /// <summary>
    /// Starts the backup of <paramref name="day"/>'s night once: the instance id is the date (UTC), so a second timer
    /// firing, another instance of the app or a manual run of the timer on the same day starts nothing.
    /// </summary>
    public async Task<NightlyBackupStart> StartNightlyBackupAsync(DurableTaskClient client, DateTimeOffset day, CancellationToken cancellationToken)
    {
        var instanceId = NightlyInstanceId(day);
        if (await client.GetInstanceAsync(instanceId, cancellationToken) is not null)
        {
            return new NightlyBackupStart(instanceId, Started: false);
        }

        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(
                TaskNames.DatabaseBackup, new BackupOrchestrationInput("nightly"), new StartOrchestrationOptions(instanceId), cancellationToken);
            return new NightlyBackupStart(instanceId, Started: true);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Another instance of the app may have won the race between the check and the start.
            if (await client.GetInstanceAsync(instanceId, cancellationToken) is not null)
            {
                return new NightlyBackupStart(instanceId, Started: false);
            }

            throw;
        }
    }

    /// <summary>
    /// Validates <paramref name="command"/> (confirmation, backup, target) and commits the restore for the dispatcher to
    /// start; the instance id is also the id of its backup_restores row.
    /// </summary>
    public async Task<Result<string>> StartRestoreAsync(RestoreCommand command, string requestedBy, CancellationToken cancellationToken)
    {
        var valid = await restoreValidator.ValidateAsync(command, cancellationToken);
        if (!valid.Succeeded)
        {
            return valid.Problem;
        }

        return await operations.AddAsync(
            PlatformWorkKinds.Restore,
            $"restore-{Guid.NewGuid():N}",
            new RestoreOrchestrationInput(valid.Value.BackupId!, valid.Value.TargetDatabase!, requestedBy),
            cancellationToken);
    }

    public static string NightlyInstanceId(DateTimeOffset day) =>
        $"backup-nightly-{day.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}";
}
