using Npgsql;

namespace StreamFlow.Core.Database;

/// <summary>
/// The lock migrations run under (session-level, on a connection of its own: DbUp runs each script in its own
/// transaction), so hosts starting together on one database migrate one after the other.
/// </summary>
internal static class MigrationLockStore
{
    private const string TakeSql = "SELECT pg_advisory_lock(hashtext('streamflow_migrations'))";
    private const string ReleaseSql = "SELECT pg_advisory_unlock(hashtext('streamflow_migrations'))";

    public static void Take(NpgsqlConnection connection) => Execute(connection, TakeSql);

    public static void Release(NpgsqlConnection connection) => Execute(connection, ReleaseSql);

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
