using Microsoft.Extensions.Logging;

namespace StreamFlow.Core.Backups;

public enum BackupAlertKind
{
    BackupFailed,
    VerificationFailed,
    RetentionFailed,
}

/// <summary>Something about backups developers must act on. Details never hold data from the database, only what failed.</summary>
public sealed record BackupAlert(BackupAlertKind Kind, string? BackupId, string Summary, IReadOnlyList<string> Details, DateTimeOffset OccurredAt);

/// <summary>Where backup alerts go. The default logs them as errors; replace the registration to email developers.</summary>
public interface IBackupAlertSink
{
    Task SendAsync(BackupAlert alert, CancellationToken cancellationToken);
}

internal sealed class LoggingBackupAlertSink(ILogger<LoggingBackupAlertSink> logger) : IBackupAlertSink
{
    public Task SendAsync(BackupAlert alert, CancellationToken cancellationToken)
    {
        logger.LogError("Backup alert {Kind} for backup {BackupId}: {Summary} {Details}",
            alert.Kind, alert.BackupId, alert.Summary, string.Join(" | ", alert.Details));
        return Task.CompletedTask;
    }
}
