using Microsoft.DurableTask;
using StreamFlow.Core.Backups;

namespace StreamFlow.Orchestrations.Backups;

/// <summary>Reads how far a restore has got, for the restore orchestration's custom status.</summary>
public sealed class ReadRestoreProgressActivity(BackupHistoryStore history) : TaskActivity<string, RestoreProgress?>
{
    public override Task<RestoreProgress?> RunAsync(TaskActivityContext context, string input) =>
        history.GetRestoreAsync(input, CancellationToken.None);
}
