using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Diagnostics;

/// <summary>The SQL of the diagnostics probe (the orchestrations project asks through it: SQL lives in Core's stores).</summary>
public static class DatabaseProbeStore
{
    private const string WhoAmISql = "SELECT current_user || ' on PostgreSQL ' || current_setting('server_version')";

    /// <summary>The role the connection runs as and the server's version.</summary>
    public static Task<string?> WhoAmIAsync(DbTransactionScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return scope.Connection.ExecuteScalarAsync<string?>(scope.Command(WhoAmISql));
    }
}
