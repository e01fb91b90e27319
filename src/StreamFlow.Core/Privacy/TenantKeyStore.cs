using StreamFlow.Core.Database;

namespace StreamFlow.Core.Privacy;

internal sealed record StoredDataKey(int Version, byte[] WrappedKey, string KekId, DateTimeOffset CreatedAt, DateTimeOffset? RetiredAt);

internal sealed record StoredIndexKey(byte[] WrappedKey, string KekId);

/// <summary>The SQL of tenants' wrapped data and index keys; every method runs in the tenant's transaction.</summary>
internal static class TenantKeyStore
{
    private const string DataKeysSql = """
        SELECT version AS Version, wrapped_key AS WrappedKey, kek_id AS KekId, created_at AS CreatedAt, retired_at AS RetiredAt
        FROM tenant_data_keys ORDER BY version
        """;

    private const string IndexKeySql = "SELECT wrapped_key AS WrappedKey, kek_id AS KekId FROM tenant_index_keys";

    // The first writer wins a race to create a tenant's keys; the loser reads the winner's.
    private const string InsertFirstKeysSql = """
        INSERT INTO tenant_data_keys (tenant_id, version, wrapped_key, kek_id, created_at)
        VALUES (@TenantId, 1, @DataKey, @DataKek, @Now) ON CONFLICT DO NOTHING;
        INSERT INTO tenant_index_keys (tenant_id, wrapped_key, kek_id, created_at)
        VALUES (@TenantId, @IndexKey, @IndexKek, @Now) ON CONFLICT DO NOTHING;
        """;

    public static async Task<IReadOnlyList<StoredDataKey>> DataKeysAsync(DbTransactionScope scope) =>
        (await scope.QueryAsync<StoredDataKey>(DataKeysSql)).ToList();

    public static Task<StoredIndexKey?> IndexKeyAsync(DbTransactionScope scope) =>
        scope.QuerySingleOrDefaultAsync<StoredIndexKey>(IndexKeySql);

    public static Task InsertFirstKeysAsync(DbTransactionScope scope, Guid tenantId, WrappedKey dataKey, WrappedKey indexKey, DateTimeOffset now) =>
        scope.ExecuteAsync(InsertFirstKeysSql, new
        {
            TenantId = tenantId, DataKey = dataKey.Value, DataKek = dataKey.KekId, IndexKey = indexKey.Value, IndexKek = indexKey.KekId, Now = now,
        });
}
