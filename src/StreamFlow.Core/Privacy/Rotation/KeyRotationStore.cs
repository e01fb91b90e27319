using StreamFlow.Core.Database;

namespace StreamFlow.Core.Privacy.Rotation;

/// <summary>A key rotation and its progress.</summary>
public sealed record KeyRotation(
    Guid Id,
    string Kind,
    Guid? TenantId,
    string Status,
    int? FromVersion,
    int? ToVersion,
    string? KekId,
    long RowsTotal,
    long RowsDone,
    int KeysRewrapped,
    string RequestedBy,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt);

internal sealed record SealedRow(Guid Id, byte[]? First, byte[]? Second, byte[]? Third);

internal sealed record SealedLeadRow(
    Guid Id, byte[]? Email, byte[]? Phone, byte[]? Notes, byte[]? PostalCode, byte[]? State, byte[]? City, byte[]? Country);

internal sealed record StoredWrappedKey(int? Version, byte[] WrappedKey, string KekId);

/// <summary>
/// The SQL of key rotations: the rotation record (a platform table), a business's new data key version, the batches
/// that re-seal rows still under an older version, and the re-wrapping of wrapped keys under the current KEK.
/// </summary>
internal static class KeyRotationStore
{
    private const string Columns = """
        id AS Id, kind AS Kind, business_id AS TenantId, status AS Status, from_version AS FromVersion, to_version AS ToVersion,
        kek_id AS KekId, rows_total AS RowsTotal, rows_done AS RowsDone, keys_rewrapped AS KeysRewrapped, requested_by AS RequestedBy,
        error AS Error, created_at AS CreatedAt, started_at AS StartedAt, completed_at AS CompletedAt
        """;

    private const string InsertSql = """
        INSERT INTO privacy_key_rotations (id, kind, business_id, status, requested_by, created_at)
        VALUES (@Id, @Kind, @TenantId, 'pending', @RequestedBy, @Now)
        """;

    private const string FindSql = $"SELECT {Columns} FROM privacy_key_rotations WHERE id = @Id";

    private const string RecentSql = $"SELECT {Columns} FROM privacy_key_rotations ORDER BY created_at DESC LIMIT @Limit";

    private const string BeginSql = """
        UPDATE privacy_key_rotations
        SET status = 'running', started_at = coalesce(started_at, @Now), from_version = coalesce(from_version, @FromVersion),
            to_version = coalesce(to_version, @ToVersion), kek_id = coalesce(kek_id, @KekId), rows_total = @RowsTotal
        WHERE id = @Id
        """;

    private const string ProgressSql = "UPDATE privacy_key_rotations SET rows_done = rows_done + @Rows, keys_rewrapped = keys_rewrapped + @Keys WHERE id = @Id";

    private const string FinishSql = """
        UPDATE privacy_key_rotations SET status = @Status, error = @Error, completed_at = @Now WHERE id = @Id AND status <> 'completed'
        """;

    // Due: the business's policy names a period and its current data key is older than that. No key yet: nothing to rotate.
    private const string RotationDueSql = """
        SELECT EXISTS (
            SELECT 1 FROM privacy_retention_policies p
            WHERE p.data_key_rotation_days IS NOT NULL
              AND (SELECT max(k.created_at) FROM tenant_data_keys k) < @Now - make_interval(days => p.data_key_rotation_days))
        """;

    private const string MaxVersionSql = "SELECT coalesce(max(version), 0) FROM tenant_data_keys";

    private const string AddDataKeySql = """
        INSERT INTO tenant_data_keys (tenant_id, version, wrapped_key, kek_id, created_at) VALUES (@TenantId, @Version, @WrappedKey, @KekId, @Now)
        ON CONFLICT DO NOTHING;
        UPDATE tenant_data_keys SET retired_at = @Now WHERE version < @Version AND retired_at IS NULL;
        """;

    private const string RowsToResealSql = """
        SELECT (SELECT count(*) FROM leads WHERE personal_key_version < @Version) + (SELECT count(*) FROM users WHERE mfa_key_version < @Version)
        """;

    // SKIP LOCKED: a lead being changed right now is left for the next batch rather than waited for.
    private const string LeadBatchSql = """
        SELECT id AS Id, email_sealed AS Email, phone_sealed AS Phone, notes_sealed AS Notes, postal_code_sealed AS PostalCode,
               state_sealed AS State, city_sealed AS City, country_sealed AS Country FROM leads
        WHERE personal_key_version < @Version ORDER BY id LIMIT @Limit FOR UPDATE SKIP LOCKED
        """;

    private const string ResealLeadSql = """
        UPDATE leads SET email_sealed = @Email, phone_sealed = @Phone, notes_sealed = @Notes, postal_code_sealed = @PostalCode,
            state_sealed = @State, city_sealed = @City, country_sealed = @Country, personal_key_version = @Version
        WHERE id = @Id
        """;

    private const string UserBatchSql = """
        SELECT id AS Id, mfa_secret_sealed AS First, NULL::bytea AS Second, NULL::bytea AS Third FROM users
        WHERE mfa_key_version < @Version ORDER BY id LIMIT @Limit FOR UPDATE SKIP LOCKED
        """;

    private const string ResealUserSql = "UPDATE users SET mfa_secret_sealed = @First, mfa_key_version = @Version WHERE id = @Id";

    private const string WrappedKeysSql = """
        SELECT version AS Version, wrapped_key AS WrappedKey, kek_id AS KekId FROM tenant_data_keys
        UNION ALL SELECT NULL, wrapped_key, kek_id FROM tenant_index_keys
        """;

    private const string RewrapDataKeySql = "UPDATE tenant_data_keys SET wrapped_key = @WrappedKey, kek_id = @KekId WHERE version = @Version";

    private const string RewrapIndexKeySql = "UPDATE tenant_index_keys SET wrapped_key = @WrappedKey, kek_id = @KekId";

    public static Task InsertAsync(DbTransactionScope scope, Guid id, string kind, Guid? tenantId, string requestedBy, DateTimeOffset now) =>
        scope.ExecuteAsync(InsertSql, new { Id = id, Kind = kind, TenantId = tenantId, RequestedBy = requestedBy, Now = now });

    public static Task<KeyRotation?> FindAsync(DbTransactionScope scope, Guid id) => scope.QuerySingleOrDefaultAsync<KeyRotation>(FindSql, new { Id = id });

    public static async Task<IReadOnlyList<KeyRotation>> RecentAsync(DbTransactionScope scope, int limit) =>
        (await scope.QueryAsync<KeyRotation>(RecentSql, new { Limit = limit })).ToList();

    public static Task BeginAsync(DbTransactionScope scope, Guid id, int? fromVersion, int? toVersion, string kekId, long rowsTotal, DateTimeOffset now) =>
        scope.ExecuteAsync(BeginSql, new { Id = id, FromVersion = fromVersion, ToVersion = toVersion, KekId = kekId, RowsTotal = rowsTotal, Now = now });

    public static Task ProgressAsync(DbTransactionScope scope, Guid id, int rows, int keys) => scope.ExecuteAsync(ProgressSql, new { Id = id, Rows = rows, Keys = keys });

    public static Task FinishAsync(DbTransactionScope scope, Guid id, string status, string? error, DateTimeOffset now) =>
        scope.ExecuteAsync(FinishSql, new { Id = id, Status = status, Error = error, Now = now });

    public static Task<bool> RotationDueAsync(DbTransactionScope scope, DateTimeOffset now) => scope.ExecuteScalarAsync<bool>(RotationDueSql, new { Now = now });

    public static Task<int> MaxVersionAsync(DbTransactionScope scope) => scope.ExecuteScalarAsync<int>(MaxVersionSql);

    public static Task AddDataKeyAsync(DbTransactionScope scope, Guid tenantId, int version, WrappedKey key, DateTimeOffset now) =>
        scope.ExecuteAsync(AddDataKeySql, new { TenantId = tenantId, Version = version, WrappedKey = key.Value, key.KekId, Now = now });

    public static Task<long> RowsToResealAsync(DbTransactionScope scope, int version) => scope.ExecuteScalarAsync<long>(RowsToResealSql, new { Version = version });

    public static async Task<IReadOnlyList<SealedLeadRow>> LeadBatchAsync(DbTransactionScope scope, int version, int limit) =>
        (await scope.QueryAsync<SealedLeadRow>(LeadBatchSql, new { Version = version, Limit = limit })).ToList();

    public static Task ResealLeadAsync(DbTransactionScope scope, SealedLeadRow row, int version) =>
        scope.ExecuteAsync(ResealLeadSql, new { row.Id, row.Email, row.Phone, row.Notes, row.PostalCode, row.State, row.City, row.Country, Version = version });

    public static async Task<IReadOnlyList<SealedRow>> UserBatchAsync(DbTransactionScope scope, int version, int limit) =>
        (await scope.QueryAsync<SealedRow>(UserBatchSql, new { Version = version, Limit = limit })).ToList();

    public static Task ResealUserAsync(DbTransactionScope scope, SealedRow row, int version) =>
        scope.ExecuteAsync(ResealUserSql, new { row.Id, row.First, Version = version });

    public static async Task<IReadOnlyList<StoredWrappedKey>> WrappedKeysAsync(DbTransactionScope scope) =>
        (await scope.QueryAsync<StoredWrappedKey>(WrappedKeysSql)).ToList();

    public static Task RewrapAsync(DbTransactionScope scope, int? version, WrappedKey key) =>
        version is { } v
            ? scope.ExecuteAsync(RewrapDataKeySql, new { Version = v, WrappedKey = key.Value, key.KekId })
            : scope.ExecuteAsync(RewrapIndexKeySql, new { WrappedKey = key.Value, key.KekId });
}
