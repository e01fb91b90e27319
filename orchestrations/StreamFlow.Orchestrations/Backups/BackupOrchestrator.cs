using Microsoft.DurableTask;
using StreamFlow.Core.Backups;

namespace StreamFlow.Orchestrations.Backups;

/// <summary>
/// Takes a backup (snapshot, encryption and upload are one streaming activity), records it, applies retention and
/// verifies the new backup by restoring it. A failed backup or verification is recorded, alerted, and fails the
/// orchestration; a failed retention is alerted and the run goes on.
/// </summary>
public sealed class BackupOrchestrator : TaskOrchestrator<BackupOrchestrationInput, BackupOrchestrationResult>
{
    private static readonly TaskOptions TakeRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 2, firstRetryInterval: TimeSpan.FromSeconds(30)));

    private static readonly TaskOptions StepRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 4, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2));

    public override async Task<BackupOrchestrationResult> RunAsync(TaskOrchestrationContext context, BackupOrchestrationInput input)
    {
        var startedAt = new DateTimeOffset(context.CurrentUtcDateTime);
        var backupId = BackupId.Create(startedAt, context.NewGuid());

        context.SetCustomStatus(new BackupStatus(TaskNames.TakeBackup, backupId));
        BackupSummary backup;
        try
        {
            backup = await context.CallActivityAsync<BackupSummary>(TaskNames.TakeBackup, new TakeBackupInput(backupId), TakeRetry);
        }
        catch (TaskFailedException failure)
        {
            var error = failure.FailureDetails.ErrorMessage;
            await context.CallActivityAsync<bool>(TaskNames.RecordBackupRun, new BackupRunRecord(
                backupId, input.RequestedBy, false, startedAt, new DateTimeOffset(context.CurrentUtcDateTime), null, null, null, null, null, null, error), StepRetry);
            await AlertAsync(context, BackupAlertKind.BackupFailed, backupId, "The backup could not be taken.", [error]);
            throw new BackupOrchestrationException($"Backup {backupId} failed: {error}");
        }

        await context.CallActivityAsync<bool>(TaskNames.RecordBackupRun, new BackupRunRecord(
            backupId, input.RequestedBy, true, backup.StartedAt, backup.FinishedAt, backup.KeyId, backup.SchemaVersion,
            backup.Tables, backup.Rows, backup.PlaintextBytes, backup.CiphertextBytes, null), StepRetry);

        context.SetCustomStatus(new BackupStatus(TaskNames.ApplyBackupRetention, backupId));
        RetentionOutcome? retention = null;
        try
        {
            retention = await context.CallActivityAsync<RetentionOutcome>(TaskNames.ApplyBackupRetention, new ApplyRetentionInput(backupId), StepRetry);
        }
        catch (TaskFailedException failure)
        {
            await AlertAsync(context, BackupAlertKind.RetentionFailed, backupId, "Expired backups could not be deleted.", [failure.FailureDetails.ErrorMessage]);
        }

        if (!input.Verify)
        {
            return new BackupOrchestrationResult(backupId, backup, retention, null);
        }

        context.SetCustomStatus(new BackupStatus(TaskNames.VerifyBackup, backupId));
        BackupVerificationResult verification;
        try
        {
            verification = await context.CallActivityAsync<BackupVerificationResult>(
                TaskNames.VerifyBackup, new VerifyBackupInput(context.NewGuid(), backupId), TakeRetry);
        }
        catch (TaskFailedException failure)
        {
            var error = failure.FailureDetails.ErrorMessage;
            await AlertAsync(context, BackupAlertKind.VerificationFailed, backupId, "The backup could not be verified.", [error]);
            throw new BackupOrchestrationException($"Backup {backupId} could not be verified: {error}");
        }

        if (!verification.Succeeded)
        {
            await AlertAsync(context, BackupAlertKind.VerificationFailed, backupId, "The backup failed verification: it did not restore to what its manifest says.", verification.Problems);
            throw new BackupOrchestrationException($"Backup {backupId} failed verification: {string.Join(" ", verification.Problems)}");
        }

        return new BackupOrchestrationResult(backupId, backup, retention, verification);
    }

    private static Task<bool> AlertAsync(TaskOrchestrationContext context, BackupAlertKind kind, string backupId, string summary, IReadOnlyList<string> details) =>
        context.CallActivityAsync<bool>(
            TaskNames.SendBackupAlert, new BackupAlert(kind, backupId, summary, details, new DateTimeOffset(context.CurrentUtcDateTime)), StepRetry);
}
