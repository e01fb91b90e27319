using Microsoft.DurableTask;
using StreamFlow.Core.Backups;

namespace StreamFlow.Orchestrations.Backups;

/// <summary>Deletes expired backups. Idempotent: what is already gone is simply not found again.</summary>
public sealed class ApplyBackupRetentionActivity(BackupRetentionService retention) : TaskActivity<ApplyRetentionInput, RetentionOutcome>
{
    public override Task<RetentionOutcome> RunAsync(TaskActivityContext context, ApplyRetentionInput input) =>
        retention.ApplyAsync(input.ProtectedBackupId, CancellationToken.None);
}
