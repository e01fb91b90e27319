using System.Text.Json;
using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Settings;

internal sealed record CustomFieldRow(Guid Id, string Entity, string Key, string Label, string Type, bool Required, string Options, string CreatedBy, DateTimeOffset CreatedAt)
{
    public CustomField ToField() => new(Id, Entity, Key, Label, Type, Required, JsonSerializer.Deserialize<string[]>(Options) ?? [], CreatedBy, CreatedAt);
}

/// <summary>The SQL of custom field definitions; every method runs in the caller's tenant transaction.</summary>
internal static class CustomFieldStore
{
    private const string Columns = """
        id AS Id, entity AS Entity, key AS Key, label AS Label, type AS Type, required AS Required, options::text AS Options,
        created_by AS CreatedBy, created_at AS CreatedAt
        """;

    private const string InsertSql = $"""
        INSERT INTO custom_fields (id, tenant_id, entity, key, label, type, required, options, created_by, created_at)
        VALUES (@Id, @TenantId, @Entity, @Key, @Label, @Type, @Required, CAST(@Options AS jsonb), @Actor, @Now)
        ON CONFLICT (tenant_id, entity, key) DO NOTHING
        RETURNING {Columns}
        """;

    private const string ListSql = $"SELECT {Columns} FROM custom_fields WHERE entity = @Entity ORDER BY key";

    private const string DeleteSql = $"DELETE FROM custom_fields WHERE id = @Id RETURNING {Columns}";

    public static Task<CustomFieldRow?> InsertAsync(DbTransactionScope scope, object field) =>
        scope.QuerySingleOrDefaultAsync<CustomFieldRow>(InsertSql, field);

    public static async Task<IReadOnlyList<CustomField>> ListAsync(DbTransactionScope scope, string entity) =>
        (await scope.QueryAsync<CustomFieldRow>(ListSql, new { Entity = entity })).Select(r => r.ToField()).ToList();

    /// <summary><see cref="ListAsync"/> riding with the scope's next round trip.</summary>
    public static async Task<IReadOnlyList<CustomField>> ListLaterAsync(DbTransactionScope scope, string entity) =>
        (await scope.QueryLaterAsync<CustomFieldRow>(ListSql, new { Entity = entity })).Select(r => r.ToField()).ToList();

    public static Task<CustomFieldRow?> DeleteAsync(DbTransactionScope scope, Guid id) =>
        scope.QuerySingleOrDefaultAsync<CustomFieldRow>(DeleteSql, new { Id = id });
}
