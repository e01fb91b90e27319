using Microsoft.Extensions.Options;
using Npgsql;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Backups;

/// <summary>The connection settings backups use beyond the application's own (section <c>Postgres</c>).</summary>
public sealed class BackupDatabaseOptions
{
    /// <summary>The backup role: BYPASSRLS and pg_read_all_data, nothing else. Takes snapshots and reads restored data back.</summary>
    public string BackupConnectionString { get; set; } = "";

    /// <summary>A role allowed to create and drop databases; used only to create restore targets and drop scratch databases.</summary>
    public string AdminConnectionString { get; set; } = "";
}

/// <summary>
/// Opens the connections of the three roles backup work needs, each for what only it may do: the backup role reads,
/// the admin role creates and drops databases, the owner role builds and loads the schema of a restore target.
/// None are pooled: they are few, long and may point at databases that are about to be dropped.
/// </summary>
public sealed class BackupConnections(IOptions<BackupDatabaseOptions> backupOptions, IOptions<PostgresOptions> postgresOptions)
{
    private const string ApplicationName = "streamflow-backup";

    /// <summary>The application's database: the one backups are taken of and restore never touches.</summary>
    internal string LiveDatabase => Builder(postgresOptions.Value.AppConnectionString, "Postgres:AppConnectionString").Database
        ?? throw new InvalidOperationException("Postgres:AppConnectionString names no database.");

    internal string OwnerRole => Builder(postgresOptions.Value.OwnerConnectionString, "Postgres:OwnerConnectionString").Username
        ?? throw new InvalidOperationException("Postgres:OwnerConnectionString names no user.");

    internal string AppRole => postgresOptions.Value.AppRole;

    internal string BackupRole => Builder(backupOptions.Value.BackupConnectionString, "Postgres:BackupConnectionString").Username
        ?? throw new InvalidOperationException("Postgres:BackupConnectionString names no user.");

    /// <summary>The backup role on the live database, or on <paramref name="database"/> (a restored one).</summary>
    internal Task<NpgsqlConnection> OpenBackupRoleAsync(string? database, CancellationToken cancellationToken) =>
        OpenAsync(backupOptions.Value.BackupConnectionString, "Postgres:BackupConnectionString", database, cancellationToken);

    internal Task<NpgsqlConnection> OpenAdminAsync(CancellationToken cancellationToken) =>
        OpenAsync(backupOptions.Value.AdminConnectionString, "Postgres:AdminConnectionString", null, cancellationToken);

    internal Task<NpgsqlConnection> OpenOwnerAsync(string database, CancellationToken cancellationToken) =>
        OpenAsync(postgresOptions.Value.OwnerConnectionString, "Postgres:OwnerConnectionString", database, cancellationToken);

    /// <summary>The owner role on <paramref name="database"/>, for DbUp.</summary>
    internal string OwnerConnectionString(string database) =>
        Configure(postgresOptions.Value.OwnerConnectionString, "Postgres:OwnerConnectionString", database);

    /// <summary>The application role on <paramref name="database"/> (tests read restored tenant rows through it).</summary>
    internal string AppConnectionString(string database) =>
        Configure(postgresOptions.Value.AppConnectionString, "Postgres:AppConnectionString", database);

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString, string setting, string? database, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(Configure(connectionString, setting, database));
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static string Configure(string connectionString, string setting, string? database)
    {
        var builder = Builder(connectionString, setting);
        if (database is not null)
        {
            builder.Database = database;
        }

        builder.Pooling = false;
        builder.CommandTimeout = 0;
        // COPY sends a message per row; large buffers cut the per-message overhead of streaming a whole table.
        builder.ReadBufferSize = Math.Max(builder.ReadBufferSize, 1024 * 1024);
        builder.WriteBufferSize = Math.Max(builder.WriteBufferSize, 1024 * 1024);
        builder.ApplicationName = ApplicationName;
        return builder.ConnectionString;
    }

    private static NpgsqlConnectionStringBuilder Builder(string connectionString, string setting)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException($"{setting} is not set; backups and restores need it.");
        }

        return new NpgsqlConnectionStringBuilder(connectionString);
    }
}
