using System.Diagnostics;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Backups;

/// <summary>Restore <paramref name="BackupId"/> into the new database <paramref name="TargetDatabase"/>.</summary>
/// <param name="Tag">Marks the database as this restore's own, so a retry may drop and redo it (and nothing else).</param>
/// <param name="ApplyNewerMigrations">After loading, apply the migrations this build has beyond the backup's.</param>
/// <param name="ApplyFilters">After that, run the <see cref="IRestoredDataFilter"/>s (the suppression list of erased people): a restore
/// for use does; a verification, which must compare the copy byte for byte with the backup, does not. Needs ApplyNewerMigrations.</param>
public sealed record RestoreRequest(string BackupId, string TargetDatabase, string Tag, bool ApplyNewerMigrations, bool ApplyFilters = false);

/// <summary>What a restore did; <see cref="LoadMilliseconds"/> covers creating, migrating and loading the database.</summary>
public sealed record RestoreSummary(
    string BackupId,
    string TargetDatabase,
    int Tables,
    long Rows,
    double LoadMilliseconds,
    IReadOnlyList<string> NewerMigrationsApplied,
    int RecordsFiltered = 0);

/// <summary>A restore that cannot go ahead or could not finish for a reason the caller can act on.</summary>
public sealed class BackupRestoreException(string message) : Exception(message);

/// <summary>
/// Restores a backup into a new database: the admin role creates it (owned by the owner role, tagged), the owner role
/// applies exactly the backup's migrations, then loads every table in ONE transaction with foreign keys dropped and
/// re-added (so order and cycles do not matter, and every key is checked once), user triggers disabled and FORCE row
/// level security lifted only inside that transaction. Nothing is committed before the whole stream has been
/// authenticated and its checksums match the manifest.
/// </summary>
public sealed partial class DatabaseRestoreService(
    BackupStorage storage,
    BackupKeyRing keys,
    BackupConnections connections,
    DatabaseMigrator migrator,
    ILogger<DatabaseRestoreService> logger,
    IEnumerable<IRestoredDataFilter> filters)
{
    private const string TagPrefix = "streamflow-restore:";
    private const long PipeHighWater = 32L * 1024 * 1024;

    private static readonly string[] ReservedDatabases = ["postgres", "template0", "template1", "azure_maintenance", "azure_sys"];

    private const string FindDatabaseSql = "SELECT true AS Exists, shobj_description(oid, 'pg_database') AS Comment FROM pg_database WHERE datname = @name";

    private const string PrepareLoadSql = """
        SET LOCAL statement_timeout = 0;
        SET LOCAL idle_in_transaction_session_timeout = 0;
        """;

    private const string TargetTablesSql = """
        SELECT c.relname AS Name, c.relforcerowsecurity AS ForceRls
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> @journal
        """;

    private const string ForeignKeysSql = """
        SELECT t.relname AS TableName, c.conname AS Name, pg_get_constraintdef(c.oid) AS Definition
        FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = 'public' AND c.contype = 'f'
        ORDER BY t.relname, c.conname
        """;

    private const string EnabledTriggersSql = """
        SELECT c.relname AS TableName, t.tgname AS Name
        FROM pg_trigger t
        JOIN pg_class c ON c.oid = t.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND NOT t.tgisinternal AND t.tgenabled <> 'D'
        ORDER BY c.relname, t.tgname
        """;

    private const string SetSequenceSql = "SELECT setval(CAST(@name AS regclass), @value, @isCalled)";

    /// <summary>Checks a target name before anything is created; null when it is acceptable.</summary>
    public string? CheckTargetName(string? targetDatabase)
    {
        if (string.IsNullOrWhiteSpace(targetDatabase) || !DatabaseNamePattern().IsMatch(targetDatabase))
        {
            return "must be 1 to 63 lowercase letters, digits or '_', starting with a letter.";
        }

        if (ReservedDatabases.Contains(targetDatabase) || string.Equals(targetDatabase, connections.LiveDatabase, StringComparison.Ordinal))
        {
            return "must not be the application's database or a system database.";
        }

        return null;
    }

    public async Task<RestoreSummary> RestoreAsync(RestoreRequest request, Func<RestoreProgress, Task>? progress, CancellationToken cancellationToken)
    {
        var manifest = await storage.GetAsync(request.BackupId, cancellationToken)
            ?? throw new BackupRestoreException($"Backup '{request.BackupId}' was not found.");
        return await RestoreAsync(manifest, request, progress, cancellationToken);
    }

    /// <summary>Restores the backup <paramref name="manifest"/> describes (already fetched by the caller).</summary>
    public async Task<RestoreSummary> RestoreAsync(
        BackupManifest manifest, RestoreRequest request, Func<RestoreProgress, Task>? progress, CancellationToken cancellationToken)
    {
        if (CheckTargetName(request.TargetDatabase) is { } problem)
        {
            throw new BackupRestoreException($"The target database name {problem}");
        }

        var unknown = manifest.Migrations.Except(DatabaseMigrator.KnownMigrations(), StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new BackupRestoreException(
                $"Backup '{manifest.BackupId}' was taken at schema version {manifest.SchemaVersion}, which this build does not know ({string.Join(", ", unknown)}): restore it with a newer build.");
        }

        // A wrong or missing key fails here, before a database is created.
        var head = await storage.ReadDataHeadAsync(manifest.BackupId, 4096, cancellationToken);
        await using (var header = new BackupDecryptingStream(new MemoryStream(head), keys, manifest.BackupId))
        {
            await header.ReadHeaderAsync(cancellationToken);
        }

        var started = Stopwatch.GetTimestamp();
        await CreateDatabaseAsync(request, cancellationToken);
        try
        {
            var backupMigrations = manifest.Migrations.ToHashSet(StringComparer.Ordinal);
            var schema = migrator.Migrate(connections.OwnerConnectionString(request.TargetDatabase), backupMigrations.Contains, definitions: false);
            if (!schema.Successful)
            {
                throw new BackupRestoreException($"Applying the backup's migrations to {request.TargetDatabase} failed: {schema.Error}");
            }

            var rows = await LoadAsync(manifest, request, progress, cancellationToken);
            var loadMilliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

            IReadOnlyList<string> newer = [];
            if (request.ApplyNewerMigrations)
            {
                var upgrade = migrator.Migrate(connections.OwnerConnectionString(request.TargetDatabase), static _ => true, definitions: true);
                if (!upgrade.Successful)
                {
                    throw new BackupRestoreException($"The data was restored, but applying newer migrations to {request.TargetDatabase} failed: {upgrade.Error}");
                }

                newer = upgrade.Applied;
            }

            var filtered = 0;
            if (request.ApplyFilters)
            {
                if (!request.ApplyNewerMigrations)
                {
                    throw new BackupRestoreException("Filtering a restored database needs its schema brought up to date (applyNewerMigrations).");
                }

                foreach (var filter in filters)
                {
                    filtered += await filter.ApplyAsync(request.TargetDatabase, cancellationToken);
                }
            }

            logger.LogInformation("Backup {BackupId} restored into {Database}: {Tables} tables, {Rows} rows in {Seconds:0.0} s",
                manifest.BackupId, request.TargetDatabase, manifest.Tables.Count, rows, loadMilliseconds / 1000);
            return new RestoreSummary(manifest.BackupId, request.TargetDatabase, manifest.Tables.Count, rows, loadMilliseconds, newer, filtered);
        }
        catch
        {
            // The database is this restore's own: a half-restored copy must not be mistaken for a good one.
            await DropOwnDatabaseQuietlyAsync(request);
            throw;
        }
    }

    /// <summary>Drops a database this restore (tag) created; refuses any other.</summary>
    public async Task DropAsync(string targetDatabase, string tag, CancellationToken cancellationToken)
    {
        await using var admin = await connections.OpenAdminAsync(cancellationToken);
        var existing = await FindDatabaseAsync(admin, targetDatabase, cancellationToken);
        if (!existing.Exists)
        {
            return;
        }

        if (!string.Equals(existing.Comment, TagPrefix + tag, StringComparison.Ordinal))
        {
            throw new BackupRestoreException($"Database {targetDatabase} was not created by this restore; it is left alone.");
        }

        await admin.ExecuteAsync(new CommandDefinition(
            $"DROP DATABASE IF EXISTS {DatabaseSnapshotter.QuoteIdentifier(targetDatabase)} WITH (FORCE)", cancellationToken: cancellationToken));
    }

    /// <summary>Whether a database of that name exists on the server.</summary>
    public async Task<bool> DatabaseExistsAsync(string name, CancellationToken cancellationToken)
    {
        await using var admin = await connections.OpenAdminAsync(cancellationToken);
        return (await FindDatabaseAsync(admin, name, cancellationToken)).Exists;
    }

    private async Task CreateDatabaseAsync(RestoreRequest request, CancellationToken cancellationToken)
    {
        await using var admin = await connections.OpenAdminAsync(cancellationToken);
        var target = DatabaseSnapshotter.QuoteIdentifier(request.TargetDatabase);
        var existing = await FindDatabaseAsync(admin, request.TargetDatabase, cancellationToken);
        if (existing.Exists)
        {
            if (!string.Equals(existing.Comment, TagPrefix + request.Tag, StringComparison.Ordinal))
            {
                throw new BackupRestoreException($"Database {request.TargetDatabase} already exists. A restore only creates new databases.");
            }

            logger.LogInformation("Dropping {Database}, left by an earlier attempt of the same restore", request.TargetDatabase);
            await admin.ExecuteAsync(new CommandDefinition($"DROP DATABASE {target} WITH (FORCE)", cancellationToken: cancellationToken));
        }

        // Created like the live database was (bootstrap.sql: from template1, the server's default locale), so the
        // migrations start from the same baseline; anything the platform keeps in template1 is there too.
        await admin.ExecuteAsync(new CommandDefinition(
            $"CREATE DATABASE {target} OWNER {DatabaseSnapshotter.QuoteIdentifier(connections.OwnerRole)} TEMPLATE template1",
            cancellationToken: cancellationToken));
        var grants = $"""
            COMMENT ON DATABASE {target} IS {Literal(TagPrefix + request.Tag)};
            REVOKE ALL ON DATABASE {target} FROM PUBLIC;
            GRANT CONNECT ON DATABASE {target} TO {DatabaseSnapshotter.QuoteIdentifier(connections.AppRole)}, {DatabaseSnapshotter.QuoteIdentifier(connections.BackupRole)};
            """;
        await admin.ExecuteAsync(new CommandDefinition(grants, cancellationToken: cancellationToken));
    }

    private async Task<long> LoadAsync(BackupManifest manifest, RestoreRequest request, Func<RestoreProgress, Task>? progress, CancellationToken cancellationToken)
    {
        await using var owner = await connections.OpenOwnerAsync(request.TargetDatabase, cancellationToken);
        await using var transaction = await owner.BeginTransactionAsync(cancellationToken);
        await owner.ExecuteAsync(new CommandDefinition(PrepareLoadSql, transaction: transaction, cancellationToken: cancellationToken));

        var target = await ReadTargetAsync(owner, transaction, cancellationToken);
        var expected = manifest.Tables.Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
        var actual = target.Columns.Keys.Order(StringComparer.Ordinal).ToList();
        if (!expected.SequenceEqual(actual, StringComparer.Ordinal))
        {
            throw new BackupRestoreException(
                $"The schema rebuilt from the backup's migrations does not have the backup's tables (missing: {string.Join(", ", expected.Except(actual))}; extra: {string.Join(", ", actual.Except(expected))}).");
        }

        await RelaxAsync(owner, transaction, target, cancellationToken);

        var rows = await StreamIntoAsync(owner, manifest, request, target, progress, cancellationToken);

        await RestoreConstraintsAsync(owner, transaction, target, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return rows;
    }

    private async Task<long> StreamIntoAsync(
        NpgsqlConnection owner, BackupManifest manifest, RestoreRequest request, TargetSchema target, Func<RestoreProgress, Task>? progress, CancellationToken cancellationToken)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: PipeHighWater, resumeWriterThreshold: PipeHighWater / 2, useSynchronizationContext: false));
        using var downloadFailed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var download = DownloadAsync(manifest.BackupId, pipe.Writer, downloadFailed);
        try
        {
            var rows = await ReadContainerAsync(owner, manifest, request, target, pipe.Reader, progress, downloadFailed.Token);
            await download;
            return rows;
        }
        catch (Exception readError)
        {
            await pipe.Reader.CompleteAsync(readError);
            // Nobody reads any more: stop the download instead of fetching the rest of the blob.
            await downloadFailed.CancelAsync();
            Exception? downloadError = null;
            try
            {
                await download;
            }
            catch (Exception exception)
            {
                downloadError = exception;
            }

            if (downloadError is not null && readError is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new IOException($"Downloading backup {manifest.BackupId} failed: {downloadError.Message}", downloadError);
            }

            throw;
        }
    }

    private async Task<long> ReadContainerAsync(
        NpgsqlConnection owner, BackupManifest manifest, RestoreRequest request, TargetSchema target, PipeReader source,
        Func<RestoreProgress, Task>? progress, CancellationToken cancellationToken)
    {
        await using var sourceStream = source.AsStream();
        using var ciphertext = new HashingStream(sourceStream);
        await using var decrypted = new BackupDecryptingStream(ciphertext, keys, manifest.BackupId, leaveOpen: true);
        await decrypted.ReadHeaderAsync(cancellationToken);
        if (!string.Equals(decrypted.KeyId, manifest.KeyId, StringComparison.Ordinal))
        {
            throw new BackupIntegrityException($"The data blob was encrypted with key '{decrypted.KeyId}' but the manifest names '{manifest.KeyId}'.");
        }

        await using var decompressed = manifest.Compression switch
        {
            "deflate" => new DeflateStream(decrypted, CompressionMode.Decompress, leaveOpen: true),
            "none" => (Stream)new NonClosingStream(decrypted),
            _ => throw new BackupRestoreException($"Backup '{manifest.BackupId}' uses compression '{manifest.Compression}', which this build does not read."),
        };
        using var plaintext = new HashingStream(new BufferedStream(decompressed, 256 * 1024));
        var reader = new BackupContainerReader(plaintext);
        var header = await reader.ReadHeaderAsync(cancellationToken);
        if (!string.Equals(header.BackupId, manifest.BackupId, StringComparison.Ordinal) || header.CopyFormat != BackupContainerFormat.CopyFormat)
        {
            throw new BackupIntegrityException($"The container header names backup '{header.BackupId}' ({header.CopyFormat}), not '{manifest.BackupId}'.");
        }

        var expectedTables = manifest.Tables.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var rowsTotal = manifest.TotalRows;
        var tablesDone = 0;
        long rows = 0;
        await ReportAsync();
        while (true)
        {
            var entry = await reader.ReadEntryAsync(cancellationToken);
            if (entry is TableEntry { Table: var table })
            {
                CheckColumns(table, target, expectedTables);
                await ReportAsync(table.Name);
                // COPY FREEZE needs the table created or truncated in this transaction; it is empty, so this costs nothing.
                await owner.ExecuteAsync(new CommandDefinition($"TRUNCATE {DatabaseSnapshotter.QualifiedName(table.Name)}", cancellationToken: cancellationToken));
                var import = await owner.BeginRawBinaryCopyAsync(DatabaseSnapshotter.CopyFromSql(table), cancellationToken);
                TablePayloadSummary summary;
                try
                {
                    summary = await reader.ReadTablePayloadAsync(table.Name, (frame, token) => import.WriteAsync(frame, token), cancellationToken);
                }
                catch
                {
                    // Completing a COPY cut off mid-row would fail with an error that hides the real one.
                    await import.CancelAsync();
                    await import.DisposeAsync();
                    throw;
                }

                try
                {
                    await import.DisposeAsync();
                }
                catch (PostgresException exception) when (exception.SqlState.StartsWith("22", StringComparison.Ordinal) || exception.SqlState.StartsWith("23", StringComparison.Ordinal))
                {
                    // Data or constraint errors: the backup holds rows this schema does not accept.
                    throw new BackupIntegrityException($"Table {table.Name} could not be loaded: {exception.MessageText}");
                }

                var recorded = expectedTables[table.Name];
                if (summary.RowCount != recorded.RowCount || summary.Sha256 != recorded.Sha256)
                {
                    throw new BackupIntegrityException(
                        $"Table {table.Name} in the backup ({summary.RowCount} rows) does not match its manifest ({recorded.RowCount} rows, or a different checksum).");
                }

                rows += summary.RowCount;
                tablesDone++;
                await ReportAsync();
            }
            else if (entry is SequencesEntry { Sequences: var sequences })
            {
                foreach (var sequence in sequences)
                {
                    await owner.ExecuteAsync(new CommandDefinition(SetSequenceSql, new
                    {
                        name = DatabaseSnapshotter.QualifiedName(sequence.Name),
                        value = sequence.LastValue,
                        isCalled = sequence.IsCalled,
                    }, cancellationToken: cancellationToken));
                }
            }
            else if (entry is EndEntry { TableCount: var tableCount })
            {
                if (tableCount != tablesDone || tablesDone != manifest.Tables.Count)
                {
                    throw new BackupIntegrityException($"The backup holds {tablesDone} tables; its end mark says {tableCount} and its manifest {manifest.Tables.Count}.");
                }

                break;
            }
        }

        // Reading to the end authenticates the final chunk: a backup cut short never gets committed.
        var trailing = await CountRemainingAsync(decrypted, cancellationToken);
        if (trailing > 0)
        {
            throw new BackupIntegrityException($"The backup has {trailing} unexpected bytes after its container.");
        }

        var plaintextSha = plaintext.FinishSha256();
        var ciphertextSha = ciphertext.FinishSha256();
        if (plaintext.BytesSeen != manifest.PlaintextBytes || plaintextSha != manifest.PlaintextSha256
            || ciphertext.BytesSeen != manifest.CiphertextBytes || ciphertextSha != manifest.CiphertextSha256)
        {
            throw new BackupIntegrityException($"Backup '{manifest.BackupId}' does not match the sizes or SHA-256 checksums in its manifest.");
        }

        return rows;

        Task ReportAsync(string? current = null) => progress?.Invoke(new RestoreProgress(
            request.Tag, manifest.BackupId, request.TargetDatabase, "running", tablesDone, manifest.Tables.Count, rows, rowsTotal, current,
            default, default, null, null)) ?? Task.CompletedTask;
    }

    private static void CheckColumns(BackupTableDefinition table, TargetSchema target, Dictionary<string, BackupTableManifest> expected)
    {
        if (!expected.ContainsKey(table.Name) || !target.Columns.TryGetValue(table.Name, out var columns))
        {
            throw new BackupIntegrityException($"The backup holds table {table.Name}, which its manifest or the rebuilt schema does not have.");
        }

        if (!columns.SequenceEqual(table.Columns))
        {
            throw new BackupRestoreException(
                $"Table {table.Name} has columns ({Describe(columns)}) in the rebuilt schema but ({Describe(table.Columns)}) in the backup.");
        }

        static string Describe(IEnumerable<BackupColumn> columns) => string.Join(", ", columns.Select(c => $"{c.Name} {c.Type}"));
    }

    private static async Task<TargetSchema> ReadTargetAsync(NpgsqlConnection owner, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var tables = (await owner.QueryAsync<(string Name, bool ForceRls)>(new CommandDefinition(
            TargetTablesSql, new { journal = DatabaseMigrator.JournalTable }, transaction, cancellationToken: cancellationToken))).ToList();
        var columns = (await owner.QueryAsync<(string TableName, string Name, string Type)>(new CommandDefinition(
                DatabaseSnapshotter.ColumnsSql, new { tables = tables.Select(t => t.Name).ToArray() }, transaction, cancellationToken: cancellationToken)))
            .ToLookup(c => c.TableName, c => new BackupColumn(c.Name, c.Type), StringComparer.Ordinal);
        var foreignKeys = (await owner.QueryAsync<(string TableName, string Name, string Definition)>(new CommandDefinition(
            ForeignKeysSql, transaction: transaction, cancellationToken: cancellationToken))).ToList();
        var triggers = (await owner.QueryAsync<(string TableName, string Name)>(new CommandDefinition(
            EnabledTriggersSql, transaction: transaction, cancellationToken: cancellationToken))).ToList();
        return new TargetSchema(
            tables.ToDictionary(t => t.Name, t => (IReadOnlyList<BackupColumn>)columns[t.Name].ToList(), StringComparer.Ordinal),
            tables.Where(t => t.ForceRls).Select(t => t.Name).ToList(),
            foreignKeys,
            triggers);
    }

    // Inside the load transaction only: nobody else sees the schema without its keys, triggers or FORCE RLS.
    private static async Task RelaxAsync(NpgsqlConnection owner, NpgsqlTransaction transaction, TargetSchema target, CancellationToken cancellationToken)
    {
        var statements = new List<string>();
        statements.AddRange(target.ForeignKeys.Select(fk =>
            $"ALTER TABLE {DatabaseSnapshotter.QualifiedName(fk.TableName)} DROP CONSTRAINT {DatabaseSnapshotter.QuoteIdentifier(fk.Name)}"));
        statements.AddRange(target.EnabledTriggers.Select(t =>
            $"ALTER TABLE {DatabaseSnapshotter.QualifiedName(t.TableName)} DISABLE TRIGGER {DatabaseSnapshotter.QuoteIdentifier(t.Name)}"));
        // The owner is subject to FORCE row level security, and COPY FROM refuses tables where RLS applies.
        statements.AddRange(target.ForcedRlsTables.Select(t => $"ALTER TABLE {DatabaseSnapshotter.QualifiedName(t)} NO FORCE ROW LEVEL SECURITY"));
        await ExecuteAllAsync(owner, transaction, statements, cancellationToken);
    }

    private static async Task RestoreConstraintsAsync(NpgsqlConnection owner, NpgsqlTransaction transaction, TargetSchema target, CancellationToken cancellationToken)
    {
        var statements = new List<string>();
        statements.AddRange(target.ForeignKeys.Select(fk =>
            $"ALTER TABLE {DatabaseSnapshotter.QualifiedName(fk.TableName)} ADD CONSTRAINT {DatabaseSnapshotter.QuoteIdentifier(fk.Name)} {fk.Definition}"));
        statements.AddRange(target.EnabledTriggers.Select(t =>
            $"ALTER TABLE {DatabaseSnapshotter.QualifiedName(t.TableName)} ENABLE TRIGGER {DatabaseSnapshotter.QuoteIdentifier(t.Name)}"));
        statements.AddRange(target.ForcedRlsTables.Select(t => $"ALTER TABLE {DatabaseSnapshotter.QualifiedName(t)} FORCE ROW LEVEL SECURITY"));
        try
        {
            await ExecuteAllAsync(owner, transaction, statements, cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            throw new BackupIntegrityException($"The restored data breaks a foreign key: {exception.MessageText}");
        }
    }

    private static async Task ExecuteAllAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<string> statements, CancellationToken cancellationToken)
    {
        if (statements.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(string.Join(";\n", statements), transaction: transaction, cancellationToken: cancellationToken));
        }
    }

    private async Task DownloadAsync(string backupId, PipeWriter destination, CancellationTokenSource onFailure)
    {
        try
        {
            await using (var stream = destination.AsStream(leaveOpen: true))
            {
                await storage.DownloadDataAsync(backupId, stream, onFailure.Token);
            }

            await destination.CompleteAsync();
        }
        catch (Exception exception)
        {
            await destination.CompleteAsync(exception);
            await onFailure.CancelAsync();
            throw;
        }
    }

    private static async Task<long> CountRemainingAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
        }

        return total;
    }

    private async Task DropOwnDatabaseQuietlyAsync(RestoreRequest request)
    {
        try
        {
            await DropAsync(request.TargetDatabase, request.Tag, CancellationToken.None);
        }
        catch (Exception exception) when (exception is NpgsqlException or BackupRestoreException or InvalidOperationException)
        {
            logger.LogWarning(exception, "Could not drop {Database} after a failed restore", request.TargetDatabase);
        }
    }

    private static Task<(bool Exists, string? Comment)> FindDatabaseAsync(NpgsqlConnection admin, string name, CancellationToken cancellationToken) =>
        admin.QuerySingleOrDefaultAsync<(bool Exists, string? Comment)>(new CommandDefinition(FindDatabaseSql, new { name }, cancellationToken: cancellationToken));

    private static string Literal(string value) => $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex DatabaseNamePattern();

    private sealed record TargetSchema(
        IReadOnlyDictionary<string, IReadOnlyList<BackupColumn>> Columns,
        IReadOnlyList<string> ForcedRlsTables,
        IReadOnlyList<(string TableName, string Name, string Definition)> ForeignKeys,
        IReadOnlyList<(string TableName, string Name)> EnabledTriggers);

    // Lets "none" share the dispose path of DeflateStream without closing the decrypting stream under it.
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
