using Microsoft.DurableTask;
using StreamFlow.Core.Backups;

namespace StreamFlow.Orchestrations.Backups;

/// <summary>
/// Restores a backup into a new database, applies the newer migrations and keeps backup_restores current. Idempotent:
/// the database is tagged with the restore id, so a retry drops what an earlier attempt left and starts over.
/// </summary>
public sealed class RestoreBackupActivity(DatabaseRestoreService restorer, BackupStorage storage, BackupHistoryStore history)
    : TaskActivity<RestoreJob, RestoreSummary>
{
    public override async Task<RestoreSummary> RunAsync(TaskActivityContext context, RestoreJob input)
    {
        var manifest = await storage.GetAsync(input.BackupId, CancellationToken.None)
            ?? throw new BackupRestoreException($"Backup '{input.BackupId}' was not found.");
        await history.StartRestoreAsync(
            input.RestoreId, input.BackupId, input.TargetDatabase, input.RequestedBy, manifest.Tables.Count, manifest.TotalRows, CancellationToken.None);
        try
        {
            var summary = await restorer.RestoreAsync(
                manifest,
                new RestoreRequest(input.BackupId, input.TargetDatabase, input.RestoreId, ApplyNewerMigrations: true, ApplyFilters: true),
                progress => history.UpdateRestoreAsync(input.RestoreId, progress.TablesDone, progress.RowsRestored, progress.CurrentTable, CancellationToken.None),
                CancellationToken.None);
            await history.FinishRestoreAsync(input.RestoreId, succeeded: true, error: null, CancellationToken.None);
            return summary;
        }
        catch (Exception exception)
        {
            // A retry sets the row back to running; a restore that is not retried must not look as if it still ran.
            await history.FinishRestoreAsync(input.RestoreId, succeeded: false, exception.Message, CancellationToken.None);
            throw;
        }
    }
}
