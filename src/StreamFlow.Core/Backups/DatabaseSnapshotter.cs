using System.Data;
using Dapper;
using Npgsql;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Backups;

/// <summary>What a snapshot wrote, for the manifest.</summary>
internal sealed record SnapshotResult(
    BackupContainerHeader Header,
    IReadOnlyList<BackupTableManifest> Tables,
    IReadOnlyList<BackupSequenceState> Sequences);

/// <summary>
/// A consistent snapshot of every table of the public schema (the DbUp journal aside: restore rebuilds it by applying
/// the recorded migrations): one REPEATABLE READ READ ONLY transaction as the backup role, tables locked against
/// schema changes, each table streamed by binary COPY into the container.
/// </summary>
public sealed class DatabaseSnapshotter(BackupConnections connections)
{
    // row_security = off makes a role that lost BYPASSRLS fail loudly instead of writing a backup without tenant rows.
    // Scans start at the first page (no synchronized scans), so a restored copy re-read in load order hashes the same.
    private const string PrepareSql = """
        SET TRANSACTION READ ONLY;
        SET LOCAL row_security = off;
        SET LOCAL synchronize_seqscans = off;
        SET LOCAL statement_timeout = 0;
        SET LOCAL idle_in_transaction_session_timeout = 0;
        SET LOCAL lock_timeout = '60s';
        """;

    private const string TablesSql = """
        SELECT c.relname
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> @journal
        ORDER BY c.relname
        """;

    // Generated columns are computed again on restore; COPY cannot write them.
    internal const string ColumnsSql = """
        SELECT c.relname AS TableName, a.attname AS Name, format_type(a.atttypid, a.atttypmod) AS Type
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relname = ANY(@tables) AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
        ORDER BY c.relname, a.attnum
        """;

    // Sequences owned by the journal belong to DbUp, like the journal itself.
    internal const string SequencesSql = """
        SELECT s.relname
        FROM pg_class s
        JOIN pg_namespace n ON n.oid = s.relnamespace
        WHERE n.nspname = 'public' AND s.relkind = 'S'
          AND NOT EXISTS (
              SELECT 1 FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid
              WHERE d.classid = 'pg_class'::regclass AND d.objid = s.oid
                AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') AND t.relname = @journal)
        ORDER BY s.relname
        """;

    private const string MigrationsSql = $"""
        SELECT scriptname FROM public.{DatabaseMigrator.JournalTable} ORDER BY schemaversionsid
        """;

    private const string DatabaseSql = "SELECT current_database() AS Database, current_setting('server_version') AS ServerVersion, to_regclass(@journal) IS NOT NULL AS HasJournal";

    /// <summary>Snapshots the live database, or <paramref name="database"/> (verification reads a restored copy the same way).</summary>
    internal async Task<SnapshotResult> WriteAsync(
        BackupContainerWriter writer, string backupId, DateTimeOffset startedAt, string? database, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenBackupRoleAsync(database, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(PrepareSql, transaction: transaction, cancellationToken: cancellationToken));

        var journal = new { journal = DatabaseMigrator.JournalTable };
        var source = await connection.QuerySingleAsync<(string Database, string ServerVersion, bool HasJournal)>(
            new CommandDefinition(DatabaseSql, new { journal = $"public.{DatabaseMigrator.JournalTable}" }, transaction, cancellationToken: cancellationToken));
        var tables = (await connection.QueryAsync<string>(
            new CommandDefinition(TablesSql, journal, transaction, cancellationToken: cancellationToken))).ToList();
        if (tables.Count > 0)
        {
            // Held to the end of the transaction: no table is altered or dropped while it is being copied.
            var lockSql = $"LOCK TABLE {string.Join(", ", tables.Select(QualifiedName))} IN ACCESS SHARE MODE";
            await connection.ExecuteAsync(new CommandDefinition(lockSql, transaction: transaction, cancellationToken: cancellationToken));
        }

        var columns = (await connection.QueryAsync<(string TableName, string Name, string Type)>(new CommandDefinition(
                ColumnsSql, new { tables = tables.ToArray() }, transaction, cancellationToken: cancellationToken)))
            .ToLookup(c => c.TableName, c => new BackupColumn(c.Name, c.Type), StringComparer.Ordinal);
        var migrations = source.HasJournal
            ? (await connection.QueryAsync<string>(new CommandDefinition(MigrationsSql, transaction: transaction, cancellationToken: cancellationToken)))
                .Select(DatabaseMigrator.ScriptName).ToList()
            : [];

        var header = new BackupContainerHeader(
            backupId, startedAt, source.Database, source.ServerVersion, migrations.LastOrDefault(), migrations, BackupContainerFormat.CopyFormat);
        await writer.WriteHeaderAsync(header, cancellationToken);

        var manifests = new List<BackupTableManifest>(tables.Count);
        foreach (var name in tables)
        {
            var definition = new BackupTableDefinition("public", name, columns[name].ToList());
            await using var copy = await connection.BeginRawBinaryCopyAsync(CopyToSql(definition), cancellationToken);
            var summary = await writer.WriteTableAsync(definition, copy, cancellationToken);
            manifests.Add(new BackupTableManifest(name, summary.RowCount, summary.PayloadBytes, summary.Sha256));
        }

        var sequences = await ReadSequencesAsync(connection, transaction, cancellationToken);
        await writer.WriteSequencesAsync(sequences, cancellationToken);
        await writer.WriteEndAsync(tables.Count, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new SnapshotResult(header, manifests, sequences);
    }

    internal static string CopyToSql(BackupTableDefinition table) => $"COPY {QualifiedName(table.Name)}{ColumnList(table)} TO STDOUT (FORMAT binary)";

    // FREEZE writes the rows already frozen (the table was truncated in the same transaction): no hint-bit rewrite of
    // every page on first read, and no anti-wraparound vacuum of the whole restore later.
    internal static string CopyFromSql(BackupTableDefinition table) => $"COPY {QualifiedName(table.Name)}{ColumnList(table)} FROM STDIN (FORMAT binary, FREEZE)";

    private static string ColumnList(BackupTableDefinition table) =>
        table.Columns.Count == 0 ? "" : $" ({string.Join(", ", table.Columns.Select(c => QuoteIdentifier(c.Name)))})";

    internal static string QualifiedName(string table) => $"public.{QuoteIdentifier(table)}";

    internal static string QuoteIdentifier(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private static async Task<List<BackupSequenceState>> ReadSequencesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var names = await connection.QueryAsync<string>(new CommandDefinition(
            SequencesSql, new { journal = DatabaseMigrator.JournalTable }, transaction, cancellationToken: cancellationToken));
        var states = new List<BackupSequenceState>();
        foreach (var name in names)
        {
            var state = await connection.QuerySingleAsync<(long LastValue, bool IsCalled)>(new CommandDefinition(
                $"SELECT last_value, is_called FROM {QualifiedName(name)}", transaction: transaction, cancellationToken: cancellationToken));
            states.Add(new BackupSequenceState(name, state.LastValue, state.IsCalled));
        }

        return states;
    }
}
