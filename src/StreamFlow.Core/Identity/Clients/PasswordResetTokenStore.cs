using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Identity.Clients;

/// <summary>The SQL of password reset and invitation tokens (stored as hashes, used once); runs in the caller's tenant transaction.</summary>
internal static class PasswordResetTokenStore
{
    private const string InsertTokenSql = """
        INSERT INTO password_reset_tokens (token_hash, tenant_id, user_id, purpose, created_at, expires_at)
        VALUES (@Hash, @TenantId, @UserId, @Purpose, @Now, @ExpiresAt)
        """;

    private const string ClaimTokenSql = """
        UPDATE password_reset_tokens SET used_at = @Now
        WHERE token_hash = @Hash AND used_at IS NULL AND expires_at > @Now
        RETURNING user_id AS UserId, purpose AS Purpose
        """;

    public static Task<int> InsertAsync(DbTransactionScope scope, byte[] hash, Guid tenantId, Guid userId, string purpose, DateTimeOffset now, DateTimeOffset expiresAt) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertTokenSql, new
        {
            Hash = hash, TenantId = tenantId, UserId = userId, Purpose = purpose, Now = now, ExpiresAt = expiresAt,
        }));

    /// <summary>Marks the token used if it is still valid, and returns whose it was; null otherwise.</summary>
    public static Task<ClaimedToken?> ClaimAsync(DbTransactionScope scope, byte[] hash, DateTimeOffset now) =>
        scope.Connection.QuerySingleOrDefaultAsync<ClaimedToken>(scope.Command(ClaimTokenSql, new { Hash = hash, Now = now }));
}
