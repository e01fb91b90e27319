using StreamFlow.Core.Backups;

namespace StreamFlow.Orchestrations.Backups;

/// <summary>Starts a backup: take → upload → retention → verify.</summary>
public sealed record BackupOrchestrationInput(string RequestedBy, bool Verify = true);

public sealed record BackupOrchestrationResult(
    string BackupId,
    BackupSummary Backup,
    RetentionOutcome? Retention,
    BackupVerificationResult? Verification);

/// <summary>The parts of a manifest an orchestration carries along.</summary>
public sealed record BackupSummary(
    string BackupId,
    string KeyId,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    string? SchemaVersion,
    int Tables,
    long Rows,
    long PlaintextBytes,
    long CiphertextBytes)
{
    public static BackupSummary From(BackupManifest manifest) => new(
        manifest.BackupId, manifest.KeyId, manifest.StartedAt, manifest.FinishedAt, manifest.SchemaVersion,
        manifest.Tables.Count, manifest.TotalRows, manifest.PlaintextBytes, manifest.CiphertextBytes);
}

/// <summary>What the backup orchestration reports while it runs.</summary>
public sealed record BackupStatus(string Step, string BackupId);

public sealed record TakeBackupInput(string BackupId);

public sealed record ApplyRetentionInput(string ProtectedBackupId);

public sealed record VerifyBackupInput(Guid VerificationId, string BackupId);

/// <summary>Restores a backup into a new database; progress is the orchestration's custom status, read every few seconds.</summary>
public sealed record RestoreOrchestrationInput(string BackupId, string TargetDatabase, string RequestedBy, double ProgressIntervalSeconds = 5);

public sealed record RestoreJob(string RestoreId, string BackupId, string TargetDatabase, string RequestedBy);

/// <summary>An expected failure of a backup or restore orchestration, already recorded and alerted.</summary>
public sealed class BackupOrchestrationException(string message) : Exception(message);
