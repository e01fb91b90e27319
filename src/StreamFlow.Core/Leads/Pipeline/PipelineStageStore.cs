using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Leads.Pipeline;

/// <summary>The SQL of a tenant's pipeline stages; every method runs in the caller's tenant transaction.</summary>
internal static class PipelineStageStore
{
    private const string ListSql = "SELECT key AS Key, name AS Name, position AS Position, kind AS Kind FROM pipeline_stages ORDER BY position";

    private const string UpsertSql = """
        INSERT INTO pipeline_stages (tenant_id, key, name, position, kind) VALUES (@TenantId, @Key, @Name, @Position, @Kind)
        ON CONFLICT (tenant_id, key) DO UPDATE SET name = EXCLUDED.name, position = EXCLUDED.position, kind = EXCLUDED.kind
        """;

    private const string StagesInUseSql = "SELECT DISTINCT stage FROM leads WHERE deleted_at IS NULL";

    private const string DeleteOthersSql = "DELETE FROM pipeline_stages WHERE NOT (key = ANY (@Keys))";

    public static async Task<IReadOnlyList<PipelineStage>> ListAsync(DbTransactionScope scope) =>
        (await scope.QueryAsync<PipelineStage>(ListSql)).ToList();

    /// <summary><see cref="ListAsync"/> riding with the scope's next round trip.</summary>
    public static async Task<IReadOnlyList<PipelineStage>> ListLaterAsync(DbTransactionScope scope) =>
        (await scope.QueryLaterAsync<PipelineStage>(ListSql)).ToList();

    public static Task<int> UpsertAsync(DbTransactionScope scope, Guid tenantId, string key, string name, int position, string kind) =>
        scope.Connection.ExecuteAsync(scope.Command(UpsertSql, new { TenantId = tenantId, Key = key, Name = name, Position = position, Kind = kind }));

    public static async Task<IReadOnlyList<string>> StagesInUseAsync(DbTransactionScope scope) =>
        (await scope.Connection.QueryAsync<string>(scope.Command(StagesInUseSql))).AsList();

    public static Task<int> DeleteAllExceptAsync(DbTransactionScope scope, string[] keys) =>
        scope.Connection.ExecuteAsync(scope.Command(DeleteOthersSql, new { Keys = keys }));
}
