using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.ApiKeys;

internal static class ApiKeyStore
{
    private const string Columns = """
        id AS Id, name AS Name, prefix AS Prefix, array_to_string(scopes, ',') AS Scopes, requests_per_minute AS RequestsPerMinute, created_by AS CreatedBy,
        created_at AS CreatedAt, expires_at AS ExpiresAt, last_used_at AS LastUsedAt, revoked_at AS RevokedAt, replaced_by AS ReplacedBy
        """;

    private const string InsertSql = """
        INSERT INTO api_keys (id, tenant_id, name, prefix, key_hash, scopes, created_by, requests_per_minute, created_at, expires_at)
        VALUES (@Id, @TenantId, @Name, @Prefix, @KeyHash, @Scopes, @CreatedBy, @RequestsPerMinute, @CreatedAt, @ExpiresAt)
        """ + " RETURNING " + Columns;

    private const string GetSql = "SELECT " + Columns + " FROM api_keys WHERE id = @Id";

    private const string GetForUpdateSql = "SELECT " + Columns + " FROM api_keys WHERE id = @Id FOR UPDATE";

    private const string ListSql = "SELECT " + Columns + " FROM api_keys WHERE (@After::uuid IS NULL OR id < @After) ORDER BY id DESC LIMIT @Limit";

    private const string RevokeSql = "UPDATE api_keys SET revoked_at = @Now WHERE id = @Id AND revoked_at IS NULL RETURNING " + Columns;

    private const string SupersedeSql = """
        UPDATE api_keys SET expires_at = LEAST(expires_at, @ValidUntil), replaced_by = @ReplacedBy WHERE id = @Id
        """;

    private const string LookupSql = """
        SELECT k.id AS Id, k.name AS Name, k.prefix AS Prefix, k.key_hash AS KeyHash, array_to_string(k.scopes, ',') AS Scopes,
               k.requests_per_minute AS RequestsPerMinute, k.expires_at AS ExpiresAt, k.last_used_at AS LastUsedAt,
               k.revoked_at AS RevokedAt, u.id AS UserId, u.email AS Email, u.role AS Role, u.status AS UserStatus,
               t.status AS TenantStatus, t.suspended_reason AS SuspendedReason,
               t.requests_per_minute AS TenantRequestsPerMinute, t.user_requests_per_minute AS UserRequestsPerMinute
        FROM api_keys k
        JOIN users u ON u.id = k.created_by
        JOIN tenants t ON t.id = k.tenant_id
        WHERE k.prefix = @Prefix
        """;

    // The condition repeats the one-minute rule so that concurrent calls of one key write at most once.
    private const string TouchSql = """
        UPDATE api_keys SET last_used_at = @Now
        WHERE id = @Id AND (last_used_at IS NULL OR last_used_at <= @Now - interval '1 minute')
        """;

    public static Task<ApiKeyRow> InsertAsync(
        DbTransactionScope scope, Guid id, Guid tenantId, string name, string prefix, byte[] keyHash, string[] scopes, Guid createdBy,
        int requestsPerMinute, DateTimeOffset createdAt, DateTimeOffset expiresAt) =>
        scope.Connection.QuerySingleAsync<ApiKeyRow>(scope.Command(InsertSql, new
        {
            Id = id, TenantId = tenantId, Name = name, Prefix = prefix, KeyHash = keyHash, Scopes = scopes, CreatedBy = createdBy,
            RequestsPerMinute = requestsPerMinute, CreatedAt = createdAt, ExpiresAt = expiresAt,
        }));

    public static Task<ApiKeyRow?> GetAsync(DbTransactionScope scope, Guid id, bool forUpdate = false) =>
        scope.Connection.QuerySingleOrDefaultAsync<ApiKeyRow>(scope.Command(forUpdate ? GetForUpdateSql : GetSql, new { Id = id }));

    public static async Task<IReadOnlyList<ApiKeyRow>> ListAsync(DbTransactionScope scope, Guid? after, int limit) =>
        (await scope.Connection.QueryAsync<ApiKeyRow>(scope.Command(ListSql, new { After = after, Limit = limit }))).ToList();

    public static Task<ApiKeyRow?> RevokeAsync(DbTransactionScope scope, Guid id, DateTimeOffset now) =>
        scope.Connection.QuerySingleOrDefaultAsync<ApiKeyRow>(scope.Command(RevokeSql, new { Id = id, Now = now }));

    public static Task SupersedeAsync(DbTransactionScope scope, Guid id, Guid replacedBy, DateTimeOffset validUntil) =>
        scope.Connection.ExecuteAsync(scope.Command(SupersedeSql, new { Id = id, ReplacedBy = replacedBy, ValidUntil = validUntil }));

    public static Task<ApiKeyLookup?> LookupAsync(DbTransactionScope scope, string prefix) =>
        scope.Connection.QuerySingleOrDefaultAsync<ApiKeyLookup>(scope.Command(LookupSql, new { Prefix = prefix }));

    public static Task TouchAsync(DbTransactionScope scope, Guid id, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(TouchSql, new { Id = id, Now = now }));
}
