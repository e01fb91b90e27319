using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Identity.Clients;

internal sealed record SessionLookup(
    Guid SessionId,
    Guid UserId,
    string Email,
    string Role,
    string UserStatus,
    DateTimeOffset LastSeenAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt,
    string TenantStatus,
    string? SuspendedReason,
    int RequestsPerMinute,
    int UserRequestsPerMinute);

public sealed record SessionView(Guid Id, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt, string? Ip, string? UserAgent, bool Current);

internal static class SessionStore
{
    private const string InsertSql = """
        INSERT INTO sessions (id, tenant_id, user_id, token_hash, created_at, last_seen_at, expires_at, ip, user_agent)
        VALUES (@Id, @TenantId, @UserId, @TokenHash, @Now, @Now, @ExpiresAt, @Ip, @UserAgent)
        """;

    private const string LookupSql = """
        SELECT s.id AS SessionId, u.id AS UserId, u.email AS Email, u.role AS Role, u.status AS UserStatus,
               s.last_seen_at AS LastSeenAt, s.expires_at AS ExpiresAt, s.revoked_at AS RevokedAt,
               t.status AS TenantStatus, t.suspended_reason AS SuspendedReason,
               t.requests_per_minute AS RequestsPerMinute, t.user_requests_per_minute AS UserRequestsPerMinute
        FROM sessions s
        JOIN users u ON u.id = s.user_id
        JOIN tenants t ON t.id = s.tenant_id
        WHERE s.token_hash = @TokenHash
        """;

    // The check of every authenticated request, one statement: the session's last-seen time is written only when it
    // is older than the touch interval (at most once a minute) and the session still live; the SELECT reads the
    // snapshot from before the UPDATE, so liveness is judged on the stored time.
    private const string CheckSql = """
        WITH touched AS (
            UPDATE sessions SET last_seen_at = @Now
            WHERE token_hash = @TokenHash AND revoked_at IS NULL AND expires_at > @Now
              AND last_seen_at <= @TouchBefore AND last_seen_at > @IdleBefore
            RETURNING id
        )
        """ + LookupSql;

    private const string ListSql = """
        SELECT id AS Id, created_at AS CreatedAt, last_seen_at AS LastSeenAt, expires_at AS ExpiresAt, ip AS Ip, user_agent AS UserAgent,
               id = @Current AS Current
        FROM sessions
        WHERE user_id = @UserId AND revoked_at IS NULL AND expires_at > @Now AND last_seen_at > @IdleCutoff
        ORDER BY created_at DESC
        """;

    private const string RevokeSql = "UPDATE sessions SET revoked_at = @Now WHERE id = @Id AND user_id = @UserId AND revoked_at IS NULL";

    private const string RevokeAllSql = "UPDATE sessions SET revoked_at = @Now WHERE user_id = @UserId AND revoked_at IS NULL";

    public static Task InsertAsync(DbTransactionScope scope, Guid id, Guid tenantId, Guid userId, byte[] tokenHash, DateTimeOffset now, DateTimeOffset expiresAt, string? ip, string? userAgent) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertSql, new { Id = id, TenantId = tenantId, UserId = userId, TokenHash = tokenHash, Now = now, ExpiresAt = expiresAt, Ip = ip, UserAgent = userAgent }));

    /// <summary>Looks the session up and touches it when due, in one round trip of its own (no transaction needed).</summary>
    public static Task<SessionLookup?> CheckAsync(
        StreamFlowDatabase database, Guid tenantId, byte[] tokenHash, DateTimeOffset now, DateTimeOffset touchBefore, DateTimeOffset idleBefore, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters();
        parameters.Add("TokenHash", tokenHash);
        parameters.Add("Now", now);
        parameters.Add("TouchBefore", touchBefore);
        parameters.Add("IdleBefore", idleBefore);
        return database.InTenantBatchAsync(tenantId, CheckSql, parameters, results => results.ReadSingleOrDefaultAsync<SessionLookup>(), cancellationToken);
    }

    public static async Task<IReadOnlyList<SessionView>> ListAsync(DbTransactionScope scope, Guid userId, Guid current, DateTimeOffset now, DateTimeOffset idleCutoff) =>
        (await scope.Connection.QueryAsync<SessionView>(scope.Command(ListSql, new { UserId = userId, Current = current, Now = now, IdleCutoff = idleCutoff }))).ToList();

    public static async Task<bool> RevokeAsync(DbTransactionScope scope, Guid id, Guid userId, DateTimeOffset now) =>
        await scope.Connection.ExecuteAsync(scope.Command(RevokeSql, new { Id = id, UserId = userId, Now = now })) == 1;

    public static Task<int> RevokeAllAsync(DbTransactionScope scope, Guid userId, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(RevokeAllSql, new { UserId = userId, Now = now }));
}
