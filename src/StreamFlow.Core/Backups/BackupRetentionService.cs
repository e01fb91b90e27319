using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StreamFlow.Core.Backups;

/// <summary>What retention did.</summary>
public sealed record RetentionOutcome(IReadOnlyList<string> Kept, IReadOnlyList<string> Deleted, IReadOnlyList<string> AbandonedUploadsDeleted);

/// <summary>Deletes the backups <see cref="BackupRetentionPolicy"/> lets expire, and uploads that never finished.</summary>
public sealed class BackupRetentionService(
    BackupStorage storage,
    IOptions<BackupOptions> options,
    TimeProvider time,
    ILogger<BackupRetentionService> logger)
{
    /// <summary>Applies the policy; <paramref name="protectedBackupId"/> (the backup just taken) is never deleted.</summary>
    public async Task<RetentionOutcome> ApplyAsync(string? protectedBackupId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var backups = await storage.ListAsync(cancellationToken);
        var kept = BackupRetentionPolicy.SelectKept(backups.Select(b => new BackupPoint(b.BackupId, b.StartedAt)), settings.Retention).ToHashSet(StringComparer.Ordinal);
        if (protectedBackupId is not null)
        {
            kept.Add(protectedBackupId);
        }

        var deleted = new List<string>();
        foreach (var backup in backups.Where(b => !kept.Contains(b.BackupId)))
        {
            await storage.DeleteAsync(backup.BackupId, cancellationToken);
            deleted.Add(backup.BackupId);
        }

        var cutoff = time.GetUtcNow() - settings.AbandonedUploadAge;
        var abandoned = new List<string>();
        foreach (var (backupId, lastModified) in await storage.ListWithoutManifestAsync(cancellationToken))
        {
            if (lastModified < cutoff && !string.Equals(backupId, protectedBackupId, StringComparison.Ordinal))
            {
                await storage.DeleteAsync(backupId, cancellationToken);
                abandoned.Add(backupId);
            }
        }

        logger.LogInformation("Backup retention kept {Kept} backups, deleted {Deleted} expired and {Abandoned} abandoned uploads",
            kept.Count, deleted.Count, abandoned.Count);
        return new RetentionOutcome(
            backups.Where(b => kept.Contains(b.BackupId)).Select(b => b.BackupId).ToList(), deleted, abandoned);
    }
}
