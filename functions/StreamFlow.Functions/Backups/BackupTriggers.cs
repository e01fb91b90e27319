using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using StreamFlow.Core.Backups;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Backups;

namespace StreamFlow.Functions.Backups;

/// <summary>The one-line trigger shims over the backup classes in StreamFlow.Orchestrations.</summary>
public sealed class BackupTriggers(
    TakeBackupActivity takeBackup,
    RecordBackupRunActivity recordBackupRun,
    ApplyBackupRetentionActivity applyBackupRetention,
    VerifyBackupActivity verifyBackup,
    SendBackupAlertActivity sendBackupAlert,
    RestoreBackupActivity restoreBackup,
    ReadRestoreProgressActivity readRestoreProgress)
{
    [Function(TaskNames.DatabaseBackup)]
    public static Task<BackupOrchestrationResult> DatabaseBackup([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new BackupOrchestrator().RunAsync(context, context.GetInput<BackupOrchestrationInput>()!);

    [Function(TaskNames.DatabaseRestore)]
    public static Task<RestoreSummary> DatabaseRestore([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new RestoreOrchestrator().RunAsync(context, context.GetInput<RestoreOrchestrationInput>()!);

    [Function(TaskNames.TakeBackup)]
    public Task<BackupSummary> TakeBackup([ActivityTrigger] TakeBackupInput input) =>
        takeBackup.RunAsync(new FunctionActivityContext(TaskNames.TakeBackup), input);

    [Function(TaskNames.RecordBackupRun)]
    public Task<bool> RecordBackupRun([ActivityTrigger] BackupRunRecord input) =>
        recordBackupRun.RunAsync(new FunctionActivityContext(TaskNames.RecordBackupRun), input);

    [Function(TaskNames.ApplyBackupRetention)]
    public Task<RetentionOutcome> ApplyBackupRetention([ActivityTrigger] ApplyRetentionInput input) =>
        applyBackupRetention.RunAsync(new FunctionActivityContext(TaskNames.ApplyBackupRetention), input);

    [Function(TaskNames.VerifyBackup)]
    public Task<BackupVerificationResult> VerifyBackup([ActivityTrigger] VerifyBackupInput input) =>
        verifyBackup.RunAsync(new FunctionActivityContext(TaskNames.VerifyBackup), input);

    [Function(TaskNames.SendBackupAlert)]
    public Task<bool> SendBackupAlert([ActivityTrigger] BackupAlert input) =>
        sendBackupAlert.RunAsync(new FunctionActivityContext(TaskNames.SendBackupAlert), input);

    [Function(TaskNames.RestoreBackup)]
    public Task<RestoreSummary> RestoreBackup([ActivityTrigger] RestoreJob input) =>
        restoreBackup.RunAsync(new FunctionActivityContext(TaskNames.RestoreBackup), input);

    [Function(TaskNames.ReadRestoreProgress)]
    public Task<RestoreProgress?> ReadRestoreProgress([ActivityTrigger] string input) =>
        readRestoreProgress.RunAsync(new FunctionActivityContext(TaskNames.ReadRestoreProgress), input);
}
