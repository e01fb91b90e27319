using StreamFlow.Core.Audit;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace StreamFlow.Core.Backups;

/// <summary>
/// Proves a backup can be restored: restores it into a scratch database, snapshots that database exactly as a backup
/// would, compares row counts and per-table SHA-256 (and sequences and migrations) with the manifest, drops the scratch
/// database and records the result with the measured restore time.
/// </summary>
public sealed class BackupVerificationService(
    BackupStorage storage,
    DatabaseRestoreService restorer,
    DatabaseSnapshotter snapshotter,
    BackupHistoryStore history,
    AuditLog audit,
    TimeProvider time,
    ILogger<BackupVerificationService> logger)
{
    public const string ScratchDatabasePrefix = "streamflow_verify_";

    /// <summary>Verifies <paramref name="backupId"/>, or the newest backup when it is null. Idempotent per verification id.</summary>
    public async Task<BackupVerificationResult> VerifyAsync(Guid verificationId, string? backupId, CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        var manifest = backupId is null
            ? (await storage.ListAsync(cancellationToken)).FirstOrDefault()
            : await storage.GetAsync(backupId, cancellationToken);
        var problems = new List<string>();
        double restoreMilliseconds = 0;
        double verifyMilliseconds = 0;
        var tablesChecked = 0;
        long rowsChecked = 0;
        if (manifest is null)
        {
            problems.Add(backupId is null ? "There is no backup to verify." : $"Backup '{backupId}' was not found.");
        }
        else
        {
            var scratch = ScratchDatabasePrefix + verificationId.ToString("N");
            var tag = $"verify-{verificationId:N}";
            var restoreStarted = Stopwatch.GetTimestamp();
            try
            {
                await restorer.RestoreAsync(manifest, new RestoreRequest(manifest.BackupId, scratch, tag, ApplyNewerMigrations: false), null, cancellationToken);
                restoreMilliseconds = Stopwatch.GetElapsedTime(restoreStarted).TotalMilliseconds;

                var verifyStarted = Stopwatch.GetTimestamp();
                var restored = await snapshotter.WriteAsync(new BackupContainerWriter(Stream.Null), manifest.BackupId, startedAt, scratch, cancellationToken);
                verifyMilliseconds = Stopwatch.GetElapsedTime(verifyStarted).TotalMilliseconds;
                problems.AddRange(Compare(manifest, restored));
                tablesChecked = restored.Tables.Count;
                rowsChecked = restored.Tables.Sum(t => t.RowCount);
            }
            catch (Exception exception) when (exception is BackupIntegrityException or BackupRestoreException or BackupKeyNotFoundException)
            {
                restoreMilliseconds = Stopwatch.GetElapsedTime(restoreStarted).TotalMilliseconds;
                problems.Add(exception.Message);
            }
            finally
            {
                await DropQuietlyAsync(scratch, tag);
            }
        }

        var result = new BackupVerificationResult(
            verificationId, manifest?.BackupId ?? backupId, problems.Count == 0, startedAt, time.GetUtcNow(),
            restoreMilliseconds, verifyMilliseconds, tablesChecked, rowsChecked, problems);
        await history.RecordVerificationAsync(result, cancellationToken);
        // backup.verified: a platform event, so it goes to the platform audit trail (developers read and verify it).
        await audit.RecordAsync(new AuditEvent(AuditSystem.Platform, null, "streamflow", result.Succeeded ? "backup.verified" : "backup.verification_failed",
            $"backup:{result.BackupId}", result.Succeeded ? AuditOutcome.Succeeded : AuditOutcome.Failed, RequestOrigin.None,
            new System.Text.Json.Nodes.JsonObject { ["tables"] = tablesChecked, ["rows"] = rowsChecked, ["restoreMs"] = Math.Round(restoreMilliseconds) }), cancellationToken);
        if (result.Succeeded)
        {
            logger.LogInformation("Backup {BackupId} verified: {Tables} tables, {Rows} rows, restored in {RestoreSeconds:0.0} s",
                result.BackupId, tablesChecked, rowsChecked, restoreMilliseconds / 1000);
        }
        else
        {
            logger.LogError("Backup {BackupId} failed verification: {Problems}", result.BackupId, string.Join(" | ", problems));
        }

        return result;
    }

    /// <summary>Differences between what a backup says it holds and what a snapshot of its restored copy holds.</summary>
    internal static IReadOnlyList<string> Compare(BackupManifest manifest, SnapshotResult restored)
    {
        var problems = new List<string>();
        var actual = restored.Tables.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var expected in manifest.Tables)
        {
            if (!actual.Remove(expected.Name, out var table))
            {
                problems.Add($"Table {expected.Name} is missing from the restored database.");
            }
            else if (table.RowCount != expected.RowCount)
            {
                problems.Add($"Table {expected.Name} has {table.RowCount} rows restored; the manifest says {expected.RowCount}.");
            }
            else if (!string.Equals(table.Sha256, expected.Sha256, StringComparison.Ordinal))
            {
                problems.Add($"Table {expected.Name} has the right row count but a different checksum ({table.Sha256[..12]}… instead of {expected.Sha256[..12]}…).");
            }
        }

        problems.AddRange(actual.Keys.Select(name => $"Table {name} is in the restored database but not in the manifest."));

        var sequences = restored.Sequences.ToDictionary(s => s.Name, StringComparer.Ordinal);
        foreach (var expected in manifest.Sequences)
        {
            if (!sequences.TryGetValue(expected.Name, out var sequence) || sequence != expected)
            {
                problems.Add($"Sequence {expected.Name} was not restored to {expected.LastValue}.");
            }
        }

        if (!restored.Header.Migrations.SequenceEqual(manifest.Migrations, StringComparer.Ordinal))
        {
            problems.Add($"The restored schema is at {restored.Header.SchemaVersion}; the backup was taken at {manifest.SchemaVersion}.");
        }

        return problems;
    }

    private async Task DropQuietlyAsync(string scratch, string tag)
    {
        try
        {
            await restorer.DropAsync(scratch, tag, CancellationToken.None);
        }
        catch (Exception exception) when (exception is Npgsql.NpgsqlException or BackupRestoreException)
        {
            logger.LogWarning(exception, "Could not drop the scratch database {Database}", scratch);
        }
    }
}
