using System.Text.Json;
using Dapper;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;

namespace StreamFlow.Core.Backups;

/// <summary>One backup attempt, successful or not.</summary>
public sealed record BackupRunRecord(
    string BackupId,
    string RequestedBy,
    bool Succeeded,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    string? KeyId,
    string? SchemaVersion,
    int? TableCount,
    long? RowCount,
    long? PlaintextBytes,
    long? CiphertextBytes,
    string? Error);

/// <summary>The outcome of restoring a backup into a scratch database and comparing it with the manifest.</summary>
public sealed record BackupVerificationResult(
    Guid VerificationId,
    string? BackupId,
    bool Succeeded,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    double RestoreMilliseconds,
    double VerifyMilliseconds,
    int TablesChecked,
    long RowsChecked,
    IReadOnlyList<string> Problems);

/// <summary>Where a restore stands: what the restore orchestration reports as its custom status.</summary>
public sealed record RestoreProgress(
    string RestoreId,
    string BackupId,
    string TargetDatabase,
    string Status,
    int TablesDone,
    int TablesTotal,
    long RowsRestored,
    long RowsTotal,
    string? CurrentTable,
    DateTimeOffset StartedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt,
    string? Error);

/// <summary>The SQL of the backup history tables (platform tables, application role).</summary>
public sealed class BackupHistoryStore(StreamFlowDatabase database, TimeProvider time)
{
    private const string InsertRunSql = """
        INSERT INTO backup_runs (backup_id, requested_by, status, started_at, finished_at, key_id, schema_version,
                                 table_count, row_count, plaintext_bytes, ciphertext_bytes, error)
        VALUES (@BackupId, @RequestedBy, @Status, @StartedAt, @FinishedAt, @KeyId, @SchemaVersion,
                @TableCount, @RowCount, @PlaintextBytes, @CiphertextBytes, @Error)
        ON CONFLICT (backup_id) DO NOTHING
        """;

    private const string InsertVerificationSql = """
        INSERT INTO backup_verifications (id, backup_id, succeeded, started_at, finished_at, restore_ms, verify_ms,
                                          tables_checked, rows_checked, problems)
        VALUES (@VerificationId, @BackupId, @Succeeded, @StartedAt, @FinishedAt, @RestoreMilliseconds, @VerifyMilliseconds,
                @TablesChecked, @RowsChecked, CAST(@Problems AS jsonb))
        ON CONFLICT (id) DO NOTHING
        """;

    private const string LatestVerificationsSql = """
        SELECT id AS VerificationId, backup_id AS BackupId, succeeded AS Succeeded, started_at AS StartedAt,
               finished_at AS FinishedAt, restore_ms AS RestoreMilliseconds, verify_ms AS VerifyMilliseconds,
               tables_checked AS TablesChecked, rows_checked AS RowsChecked, problems::text AS Problems
        FROM backup_verifications
        ORDER BY finished_at DESC
        LIMIT @limit
        """;

    // A retried restore starts over: its row goes back to running with zero progress.
    private const string StartRestoreSql = """
        INSERT INTO backup_restores (id, backup_id, target_database, requested_by, status, tables_total, rows_total,
                                     started_at, updated_at)
        VALUES (@RestoreId, @BackupId, @TargetDatabase, @RequestedBy, 'running', @TablesTotal, @RowsTotal, @Now, @Now)
        ON CONFLICT (id) DO UPDATE SET status = 'running', tables_done = 0, rows_restored = 0, current_table = NULL,
            tables_total = EXCLUDED.tables_total, rows_total = EXCLUDED.rows_total, updated_at = EXCLUDED.updated_at,
            finished_at = NULL, error = NULL
        """;

    private const string UpdateRestoreSql = """
        UPDATE backup_restores
        SET tables_done = @TablesDone, rows_restored = @RowsRestored, current_table = @CurrentTable, updated_at = @Now
        WHERE id = @RestoreId AND status = 'running'
        """;

    private const string FinishRestoreSql = """
        UPDATE backup_restores
        SET status = @Status, current_table = NULL, updated_at = @Now, finished_at = @Now, error = @Error
        WHERE id = @RestoreId
        """;

    private const string GetRestoreSql = """
        SELECT id AS RestoreId, backup_id AS BackupId, target_database AS TargetDatabase, status AS Status,
               tables_done AS TablesDone, tables_total AS TablesTotal, rows_restored AS RowsRestored, rows_total AS RowsTotal,
               current_table AS CurrentTable, started_at AS StartedAt, updated_at AS UpdatedAt, finished_at AS FinishedAt,
               error AS Error
        FROM backup_restores
        WHERE id = @restoreId
        """;

    public Task RecordRunAsync(BackupRunRecord run, CancellationToken cancellationToken) =>
        database.InPlatformAsync(scope => scope.Connection.ExecuteAsync(scope.Command(InsertRunSql, new
        {
            run.BackupId,
            run.RequestedBy,
            Status = run.Succeeded ? "succeeded" : "failed",
            run.StartedAt,
            run.FinishedAt,
            run.KeyId,
            run.SchemaVersion,
            run.TableCount,
            run.RowCount,
            run.PlaintextBytes,
            run.CiphertextBytes,
            run.Error,
        })), cancellationToken);

    public Task RecordVerificationAsync(BackupVerificationResult result, CancellationToken cancellationToken) =>
        database.InPlatformAsync(scope => scope.Connection.ExecuteAsync(scope.Command(InsertVerificationSql, new
        {
            result.VerificationId,
            result.BackupId,
            result.Succeeded,
            result.StartedAt,
            result.FinishedAt,
            result.RestoreMilliseconds,
            result.VerifyMilliseconds,
            result.TablesChecked,
            result.RowsChecked,
            Problems = JsonSerializer.Serialize(result.Problems, StreamFlowJson.Options),
        })), cancellationToken);

    /// <summary>The most recent verifications, newest first (developers read them; health may too).</summary>
    public Task<IReadOnlyList<BackupVerificationResult>> LatestVerificationsAsync(int limit, CancellationToken cancellationToken) =>
        database.InPlatformAsync<IReadOnlyList<BackupVerificationResult>>(async scope =>
        {
            var rows = await scope.Connection.QueryAsync<VerificationRow>(scope.Command(LatestVerificationsSql, new { limit = Math.Clamp(limit, 1, 500) }));
            return rows.Select(r => r.ToResult()).ToList();
        }, cancellationToken);

    public Task StartRestoreAsync(string restoreId, string backupId, string targetDatabase, string requestedBy, int tablesTotal, long rowsTotal, CancellationToken cancellationToken) =>
        database.InPlatformAsync(scope => scope.Connection.ExecuteAsync(scope.Command(StartRestoreSql, new
        {
            RestoreId = restoreId,
            BackupId = backupId,
            TargetDatabase = targetDatabase,
            RequestedBy = requestedBy,
            TablesTotal = tablesTotal,
            RowsTotal = rowsTotal,
            Now = time.GetUtcNow(),
        })), cancellationToken);

    public Task UpdateRestoreAsync(string restoreId, int tablesDone, long rowsRestored, string? currentTable, CancellationToken cancellationToken) =>
        database.InPlatformAsync(scope => scope.Connection.ExecuteAsync(scope.Command(UpdateRestoreSql, new
        {
            RestoreId = restoreId,
            TablesDone = tablesDone,
            RowsRestored = rowsRestored,
            CurrentTable = currentTable,
            Now = time.GetUtcNow(),
        })), cancellationToken);

    public Task FinishRestoreAsync(string restoreId, bool succeeded, string? error, CancellationToken cancellationToken) =>
        database.InPlatformAsync(scope => scope.Connection.ExecuteAsync(scope.Command(FinishRestoreSql, new
        {
            RestoreId = restoreId,
            Status = succeeded ? "completed" : "failed",
            Error = error,
            Now = time.GetUtcNow(),
        })), cancellationToken);

    /// <summary>The progress of a restore, or null when no restore has that id.</summary>
    public Task<RestoreProgress?> GetRestoreAsync(string restoreId, CancellationToken cancellationToken) =>
        database.InPlatformAsync(async scope =>
        {
            var row = await scope.Connection.QuerySingleOrDefaultAsync<RestoreRow>(scope.Command(GetRestoreSql, new { restoreId }));
            return row?.ToProgress();
        }, cancellationToken);

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private sealed record RestoreRow(
        string RestoreId,
        string BackupId,
        string TargetDatabase,
        string Status,
        int TablesDone,
        int TablesTotal,
        long RowsRestored,
        long RowsTotal,
        string? CurrentTable,
        DateTime StartedAt,
        DateTime UpdatedAt,
        DateTime? FinishedAt,
        string? Error)
    {
        public RestoreProgress ToProgress() => new(
            RestoreId, BackupId, TargetDatabase, Status, TablesDone, TablesTotal, RowsRestored, RowsTotal, CurrentTable,
            Utc(StartedAt), Utc(UpdatedAt), FinishedAt is { } finished ? Utc(finished) : null, Error);
    }

    private sealed record VerificationRow(
        Guid VerificationId,
        string? BackupId,
        bool Succeeded,
        DateTime StartedAt,
        DateTime FinishedAt,
        double RestoreMilliseconds,
        double VerifyMilliseconds,
        int TablesChecked,
        long RowsChecked,
        string Problems)
    {
        public BackupVerificationResult ToResult() => new(
            VerificationId,
            BackupId,
            Succeeded,
            Utc(StartedAt),
            Utc(FinishedAt),
            RestoreMilliseconds,
            VerifyMilliseconds,
            TablesChecked,
            RowsChecked,
            JsonSerializer.Deserialize<List<string>>(Problems, StreamFlowJson.Options) ?? []);
    }
}
