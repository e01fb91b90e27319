using Microsoft.DurableTask;
using StreamFlow.Core.Backups;

namespace StreamFlow.Orchestrations.Backups;

/// <summary>Restores a backup into a scratch database and compares it with its manifest. Idempotent per verification id.</summary>
public sealed class VerifyBackupActivity(BackupVerificationService verification) : TaskActivity<VerifyBackupInput, BackupVerificationResult>
{
    public override Task<BackupVerificationResult> RunAsync(TaskActivityContext context, VerifyBackupInput input) =>
        verification.VerifyAsync(input.VerificationId, input.BackupId, CancellationToken.None);
}
