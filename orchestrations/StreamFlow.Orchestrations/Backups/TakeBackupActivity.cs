using Microsoft.DurableTask;
using StreamFlow.Core.Backups;

namespace StreamFlow.Orchestrations.Backups;

/// <summary>Snapshots, encrypts and uploads the database as one stream. Idempotent: a retry replaces the same backup id.</summary>
public sealed class TakeBackupActivity(DatabaseBackupService backups) : TaskActivity<TakeBackupInput, BackupSummary>
{
    public override async Task<BackupSummary> RunAsync(TaskActivityContext context, TakeBackupInput input) =>
        BackupSummary.From(await backups.TakeAsync(input.BackupId, CancellationToken.None));
}
