using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Settings;

internal sealed record StoredTenantSettings(string TimeZone, string Settings, DateTimeOffset UpdatedAt);

/// <summary>The SQL of <c>tenant_settings</c>: the time zone column and the keys of the settings document this feature owns.</summary>
internal static class TenantSettingsStore
{
    // RLS leaves at most the tenant's own row; a tenant created before tenant_settings rows existed reads defaults.
    private const string ReadSql = """
        SELECT time_zone AS TimeZone, settings::text AS Settings, updated_at AS UpdatedAt FROM tenant_settings
        """;

    private const string LockSql = """
        SELECT time_zone AS TimeZone, settings::text AS Settings, updated_at AS UpdatedAt FROM tenant_settings FOR UPDATE
        """;

    // Merges only the keys given: other features keep their own keys in the same document.
    private const string UpsertSql = """
        INSERT INTO tenant_settings (tenant_id, time_zone, settings, updated_at)
        VALUES (@TenantId, @TimeZone, CAST(@Keys AS jsonb), @Now)
        ON CONFLICT (tenant_id) DO UPDATE SET time_zone = excluded.time_zone,
            settings = tenant_settings.settings || excluded.settings, updated_at = excluded.updated_at
        """;

    public static Task<StoredTenantSettings?> ReadAsync(DbTransactionScope scope) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredTenantSettings>(scope.Command(ReadSql));

    public static Task<StoredTenantSettings?> LockAsync(DbTransactionScope scope) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredTenantSettings>(scope.Command(LockSql));

    public static Task UpsertAsync(DbTransactionScope scope, Guid tenantId, string timeZone, string keysJson, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(UpsertSql, new { TenantId = tenantId, TimeZone = timeZone, Keys = keysJson, Now = now }));
}
