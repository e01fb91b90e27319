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
}
