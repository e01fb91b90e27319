using Microsoft.DurableTask;
using StreamFlow.Core.Backups;

namespace StreamFlow.Orchestrations.Backups;

/// <summary>Records a backup attempt in backup_runs. Idempotent: the backup id is the key.</summary>
public sealed class RecordBackupRunActivity(BackupHistoryStore history) : TaskActivity<BackupRunRecord, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, BackupRunRecord input)
    {
        await history.RecordRunAsync(input, CancellationToken.None);
        return true;
    }
}
