using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Tenancy;

/// <summary>The SQL of the tenants registry (a platform table: no row-level security, no tenant data).</summary>
internal static class TenantStore
{
    private const string IdsAndStatusesSql = "SELECT id AS Id, status AS Status FROM tenants ORDER BY name, id";

    private const string ActiveIdsSql = "SELECT id FROM tenants WHERE status = 'active' ORDER BY id";

    private const string Columns = """
        id AS Id, slug AS Slug, name AS Name, industry AS Industry, status AS Status, suspended_reason AS SuspendedReason,
        suspended_at AS SuspendedAt, requests_per_minute AS RequestsPerMinute, user_requests_per_minute AS UserRequestsPerMinute,
        created_at AS CreatedAt
        """;

    private const string InsertSql = """
        INSERT INTO tenants (id, slug, name, industry, created_at, updated_at) VALUES (@Id, @Slug, @Name, @Industry, @Now, @Now);
        INSERT INTO tenant_settings (tenant_id) VALUES (@Id);
        """;

    private const string ByIdSql = $"SELECT {Columns} FROM tenants WHERE id = @Id";

    private const string BySlugSql = $"SELECT {Columns} FROM tenants WHERE slug = @Slug";

    private const string PageSql = $"""
        SELECT {Columns} FROM tenants WHERE (@After IS NULL OR id > @After) ORDER BY id LIMIT @Limit
        """;

    private const string SetStatusSql = """
        UPDATE tenants SET status = @Status, suspended_reason = @Reason, suspended_at = @SuspendedAt, updated_at = @Now
        WHERE id = @Id
        """;

    private const string SetRateLimitsSql = """
        UPDATE tenants SET requests_per_minute = COALESCE(@RequestsPerMinute, requests_per_minute),
                           user_requests_per_minute = COALESCE(@UserRequestsPerMinute, user_requests_per_minute),
                           updated_at = @Now
        WHERE id = @Id
        """;

    public static Task InsertAsync(DbTransactionScope scope, Guid id, string slug, string name, string industry, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertSql, new { Id = id, Slug = slug, Name = name, Industry = industry, Now = now }));

    public static Task<Tenant?> FindAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<Tenant>(scope.Command(ByIdSql, new { Id = id }));

    public static Task<Tenant?> FindBySlugAsync(DbTransactionScope scope, string slug) =>
        scope.Connection.QuerySingleOrDefaultAsync<Tenant>(scope.Command(BySlugSql, new { Slug = slug }));

    public static async Task<IReadOnlyList<Tenant>> PageAsync(DbTransactionScope scope, Guid? after, int limit) =>
        (await scope.Connection.QueryAsync<Tenant>(scope.Command(PageSql, new { After = after, Limit = limit }))).ToList();

    public static Task<int> SetStatusAsync(DbTransactionScope scope, Guid id, string status, string? reason, DateTimeOffset? suspendedAt, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(SetStatusSql, new { Id = id, Status = status, Reason = reason, SuspendedAt = suspendedAt, Now = now }));

    public static Task<int> SetRateLimitsAsync(DbTransactionScope scope, Guid id, RateLimitSettings limits, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(SetRateLimitsSql, new { Id = id, limits.RequestsPerMinute, limits.UserRequestsPerMinute, Now = now }));

    /// <summary>The active clients' ids, for the runs that visit each client (metering, billing, report delivery).</summary>
    public static async Task<IReadOnlyList<Guid>> ActiveIdsAsync(DbTransactionScope scope) =>
        (await scope.Connection.QueryAsync<Guid>(scope.Command(ActiveIdsSql))).AsList();

    public static async Task<IReadOnlyList<(Guid Id, string Status)>> IdsAndStatusesByNameAsync(DbTransactionScope scope) =>
        (await scope.Connection.QueryAsync<(Guid Id, string Status)>(scope.Command(IdsAndStatusesSql))).AsList();
}
