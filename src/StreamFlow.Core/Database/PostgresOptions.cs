namespace StreamFlow.Core.Database;

public sealed class PostgresOptions
{
    public const string Section = "Postgres";

    /// <summary>The application role: owns nothing, cannot bypass row-level security.</summary>
    public string AppConnectionString { get; set; } = "";

    /// <summary>The owner role, used only to apply migrations.</summary>
    public string OwnerConnectionString { get; set; } = "";

    /// <summary>The name of the application role that migrations grant privileges to.</summary>
    public string AppRole { get; set; } = "streamflow_app";

    /// <summary>
    /// The app pool's ceiling when the connection string sets none. Kept well below the server's max_connections
    /// (scripts/lib/services.sh starts PostgreSQL with 200) so that two hosts, migrations and psql still fit; a burst
    /// beyond it waits for a free connection instead of making the server refuse with 53300.
    /// </summary>
    public int MaxPoolSize { get; set; } = 40;

    /// <summary>How long a request waits for a pooled connection before it is answered 503 (when the connection string sets no Timeout).</summary>
    public int ConnectionWaitSeconds { get; set; } = 5;
}
