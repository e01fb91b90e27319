using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Identity.Clients;

internal sealed record StoredClientProfile(string Name, bool MfaEnabled, string TenantName, string TenantSlug);

/// <summary>The signed-in user's own row and their business's name, in the user's tenant.</summary>
internal static class ClientProfileStore
{
    private const string ProfileSql = """
        SELECT u.name AS Name, u.mfa_enabled AS MfaEnabled, t.name AS TenantName, t.slug AS TenantSlug
        FROM users u JOIN tenants t ON t.id = u.tenant_id
        WHERE u.id = @UserId
        """;

    public static Task<StoredClientProfile?> FindAsync(DbTransactionScope scope, Guid userId) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredClientProfile>(scope.Command(ProfileSql, new { UserId = userId }));
}
