using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Backups;

/// <summary>
/// A developer's request to restore a backup into a new database. <see cref="Confirmation"/> must repeat
/// <see cref="TargetDatabase"/> exactly: a restore creates a database full of every tenant's data, so it is never implied.
/// </summary>
public sealed record RestoreCommand(string? BackupId, string? TargetDatabase, string? Confirmation);

/// <summary>Checks a <see cref="RestoreCommand"/> before a restore orchestration is started for it.</summary>
public sealed class BackupRestoreValidator(BackupStorage storage, DatabaseRestoreService restorer)
{
    /// <summary>
    /// Validation problems (400), an unknown backup (404) or an existing target database (409); otherwise the command.
    /// </summary>
    public async Task<Result<RestoreCommand>> ValidateAsync(RestoreCommand command, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (!BackupId.IsValid(command.BackupId))
        {
            errors.Add("backupId", "must be a backup id such as 20261126T023000Z-3f2a9c1e.");
        }

        if (restorer.CheckTargetName(command.TargetDatabase) is { } targetProblem)
        {
            errors.Add("targetDatabase", targetProblem);
        }

        if (!string.Equals(command.Confirmation, command.TargetDatabase, StringComparison.Ordinal))
        {
            errors.Add("confirmation", "must repeat the target database name exactly, to confirm the restore.");
        }

        if (errors.ToProblem() is { } problem)
        {
            return problem;
        }

        if (await storage.GetAsync(command.BackupId!, cancellationToken) is null)
        {
            return Problem.NotFound($"Backup '{command.BackupId}'");
        }

        if (await restorer.DatabaseExistsAsync(command.TargetDatabase!, cancellationToken))
        {
            return Problem.Conflict($"Database {command.TargetDatabase} already exists; a restore only creates new databases.");
        }

        return command;
    }
}
