using Npgsql;

namespace StreamFlow.Core.Database;

/// <summary>Bounds the app's connection pool unless the connection string already chose its own limits.</summary>
public static class PostgresPool
{
    private const int NpgsqlDefaultMaxPoolSize = 100;
    private const int NpgsqlDefaultTimeoutSeconds = 15;

    public static void Bound(NpgsqlConnectionStringBuilder connection, PostgresOptions options)
    {
        if (connection.MaxPoolSize == NpgsqlDefaultMaxPoolSize)
        {
            connection.MaxPoolSize = options.MaxPoolSize;
        }

        // Npgsql's Timeout covers both waiting for a pooled connection and opening a new one.
        if (connection.Timeout == NpgsqlDefaultTimeoutSeconds)
        {
            connection.Timeout = options.ConnectionWaitSeconds;
        }

        connection.MinPoolSize = Math.Min(connection.MinPoolSize, connection.MaxPoolSize);
    }
}
