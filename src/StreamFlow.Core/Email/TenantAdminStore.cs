using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Email;

/// <summary>The SQL of who administers a client business (its users table, read in its tenant transaction).</summary>
internal static class TenantAdminStore
{
    private const string AdminsSql = "SELECT email FROM users WHERE status = 'active' AND role IN ('owner', 'admin')";

    public static async Task<IReadOnlyList<string>> EmailsAsync(DbTransactionScope scope) =>
        (await scope.Connection.QueryAsync<string>(scope.Command(AdminsSql))).AsList();
}
