using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.FieldOps.Technicians;

internal sealed record StoredTechnician
{
    public Guid Id { get; init; }

    public Guid? UserId { get; init; }

    public string Name { get; init; } = "";

    public string[] Skills { get; init; } = [];

    public string Certifications { get; init; } = "[]";

    public double HomeLatitude { get; init; }

    public double HomeLongitude { get; init; }

    public int WorkStartMinute { get; init; }

    public int WorkEndMinute { get; init; }

    public decimal HourlyCost { get; init; }

    public string Currency { get; init; } = "USD";

    public bool Active { get; init; }

    public int Version { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }
}

internal sealed record TechnicianContact(string Name, string Email);

/// <summary>The SQL of technicians.</summary>
internal static class TechnicianStore
{
    private const string ContactSql = """
        SELECT t.name AS Name, u.email AS Email FROM technicians t JOIN users u ON u.id = t.user_id
        WHERE t.id = @Id AND u.status = 'active'
        """;

    /// <summary>The technician's name and the address of the active user they sign in as; null when there is none.</summary>
    public static Task<TechnicianContact?> ContactAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<TechnicianContact>(scope.Command(ContactSql, new { Id = id }));

    private const string Columns = """
        id AS Id, user_id AS UserId, name AS Name, skills AS Skills, certifications::text AS Certifications,
        home_latitude AS HomeLatitude, home_longitude AS HomeLongitude, work_start_minute AS WorkStartMinute,
        work_end_minute AS WorkEndMinute, hourly_cost AS HourlyCost, currency AS Currency, active AS Active, version AS Version,
        created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    private const string InsertSql = """
        INSERT INTO technicians (id, tenant_id, user_id, name, skills, certifications, home_latitude, home_longitude, work_start_minute,
                                 work_end_minute, hourly_cost, currency, active, created_at, updated_at)
        VALUES (@Id, @TenantId, @UserId, @Name, @Skills, @Certifications::jsonb, @HomeLatitude, @HomeLongitude, @WorkStartMinute,
                @WorkEndMinute, @HourlyCost, @Currency, @Active, @Now, @Now)
        """;

    private const string UpdateSql = """
        UPDATE technicians SET user_id = @UserId, name = @Name, skills = @Skills, certifications = @Certifications::jsonb,
            home_latitude = @HomeLatitude, home_longitude = @HomeLongitude, work_start_minute = @WorkStartMinute,
            work_end_minute = @WorkEndMinute, hourly_cost = @HourlyCost, currency = @Currency, active = @Active,
            version = version + 1, updated_at = @Now
        WHERE id = @Id
        """;

    private const string ByIdSql = $"SELECT {Columns} FROM technicians WHERE id = @Id";

    private const string ByIdForUpdateSql = $"SELECT {Columns} FROM technicians WHERE id = @Id FOR UPDATE";

    private const string ByIdsForUpdateSql = $"SELECT {Columns} FROM technicians WHERE id = ANY (@Ids) ORDER BY id FOR UPDATE";

    private const string ByUserSql = $"SELECT {Columns} FROM technicians WHERE user_id = @UserId";

    private const string ActiveSql = $"SELECT {Columns} FROM technicians WHERE active ORDER BY id";

    private const string PageSql = $"""
        SELECT {Columns} FROM technicians
        WHERE (@Before::uuid IS NULL OR id < @Before) AND (@ActiveOnly = false OR active)
        ORDER BY id DESC LIMIT @Limit
        """;

    // Users are tenant rows: another business's user id is simply not found.
    private const string UserExistsSql = "SELECT EXISTS (SELECT 1 FROM users WHERE id = @Id)";

    public static Task InsertAsync(DbTransactionScope scope, Guid tenantId, StoredTechnician t, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertSql, Parameters(t, tenantId, now)));

    public static Task UpdateAsync(DbTransactionScope scope, StoredTechnician t, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(UpdateSql, Parameters(t, Guid.Empty, now)));

    public static Task<StoredTechnician?> FindAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredTechnician>(scope.Command(ByIdSql, new { Id = id }));

    public static Task<StoredTechnician?> LockAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredTechnician>(scope.Command(ByIdForUpdateSql, new { Id = id }));

    /// <summary>Locks the technicians in id order, so that two assignments touching the same people never deadlock.</summary>
    public static async Task<IReadOnlyList<StoredTechnician>> LockAllAsync(DbTransactionScope scope, IReadOnlyCollection<Guid> ids) =>
        (await scope.Connection.QueryAsync<StoredTechnician>(scope.Command(ByIdsForUpdateSql, new { Ids = ids.ToArray() }))).ToList();

    public static Task<StoredTechnician?> FindByUserAsync(DbTransactionScope scope, Guid userId) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredTechnician>(scope.Command(ByUserSql, new { UserId = userId }));

    public static async Task<IReadOnlyList<StoredTechnician>> ActiveAsync(DbTransactionScope scope) =>
        (await scope.Connection.QueryAsync<StoredTechnician>(scope.Command(ActiveSql))).ToList();

    public static async Task<IReadOnlyList<StoredTechnician>> PageAsync(DbTransactionScope scope, Guid? before, bool activeOnly, int limit) =>
        (await scope.Connection.QueryAsync<StoredTechnician>(scope.Command(PageSql, new { Before = before, ActiveOnly = activeOnly, Limit = limit }))).ToList();

    public static Task<bool> UserExistsAsync(DbTransactionScope scope, Guid userId) =>
        scope.Connection.ExecuteScalarAsync<bool>(scope.Command(UserExistsSql, new { Id = userId }));

    private static object Parameters(StoredTechnician t, Guid tenantId, DateTimeOffset now) => new
    {
        t.Id, TenantId = tenantId, t.UserId, t.Name, t.Skills, t.Certifications, t.HomeLatitude, t.HomeLongitude, t.WorkStartMinute,
        t.WorkEndMinute, t.HourlyCost, t.Currency, t.Active, Now = now,
    };
}
