using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Connections.OAuth;

internal sealed record OAuthStateRow(Guid TenantId, Guid ConnectionId, Guid? UserId, byte[] VerifierCiphertext, string RedirectUri, DateTimeOffset ExpiresAt, DateTimeOffset? UsedAt);

internal static class OAuthStateStore
{
    private const string InsertSql = """
        INSERT INTO connector_oauth_states (state_hash, tenant_id, connection_id, user_id, verifier_ciphertext, redirect_uri, expires_at, created_at)
        VALUES (@StateHash, @TenantId, @ConnectionId, @UserId, @VerifierCiphertext, @RedirectUri, @ExpiresAt, @Now)
        """;

    // Single use: the row is marked used in the same statement that reads it, so two callbacks cannot both pass.
    private const string ClaimSql = """
        UPDATE connector_oauth_states SET used_at = @Now
        WHERE state_hash = @StateHash AND used_at IS NULL
        RETURNING tenant_id AS TenantId, connection_id AS ConnectionId, user_id AS UserId, verifier_ciphertext AS VerifierCiphertext,
            redirect_uri AS RedirectUri, expires_at AS ExpiresAt, used_at AS UsedAt
        """;

    private const string PurgeSql = "DELETE FROM connector_oauth_states WHERE connection_id = @ConnectionId AND (used_at IS NOT NULL OR expires_at < @Now)";

    public static Task InsertAsync(DbTransactionScope scope, byte[] stateHash, Guid tenantId, Guid connectionId, Guid? userId, byte[] verifier, string redirectUri,
        DateTimeOffset expiresAt, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertSql, new
        {
            StateHash = stateHash, TenantId = tenantId, ConnectionId = connectionId, UserId = userId, VerifierCiphertext = verifier, RedirectUri = redirectUri,
            ExpiresAt = expiresAt, Now = now,
        }));

    public static Task<OAuthStateRow?> ClaimAsync(DbTransactionScope scope, byte[] stateHash, DateTimeOffset now) =>
        scope.Connection.QuerySingleOrDefaultAsync<OAuthStateRow>(scope.Command(ClaimSql, new { StateHash = stateHash, Now = now }));

    public static Task PurgeAsync(DbTransactionScope scope, Guid connectionId, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(PurgeSql, new { ConnectionId = connectionId, Now = now }));
}
