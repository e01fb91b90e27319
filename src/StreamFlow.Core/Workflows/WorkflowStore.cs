using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Workflows;

internal sealed record WorkflowRow(Guid Id, string Name, bool Enabled, int Version, string Definition, string UpdatedBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

internal sealed record WorkflowVersionRow(int Version, string Definition, string SavedBy, DateTimeOffset SavedAt);

/// <summary>The SQL of workflows and their versions, and the tenant's names a definition may refer to.</summary>
internal static class WorkflowStore
{
    private const string Columns = """
        id AS Id, name AS Name, enabled AS Enabled, version AS Version, definition::text AS Definition, updated_by AS UpdatedBy,
        created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    private const string InsertSql = $"""
        INSERT INTO workflows (id, tenant_id, name, enabled, version, trigger_event, trigger_schedule, definition, updated_by, created_at, updated_at)
        VALUES (@Id, @TenantId, @Name, @Enabled, 1, @Event, @Schedule, CAST(@Definition AS jsonb), @Actor, @Now, @Now)
        RETURNING {Columns}
        """;

    private const string ReplaceSql = $"""
        UPDATE workflows SET name = @Name, enabled = @Enabled, version = version + 1, trigger_event = @Event, trigger_schedule = @Schedule,
            definition = CAST(@Definition AS jsonb), updated_by = @Actor, updated_at = @Now
        WHERE id = @Id
        RETURNING {Columns}
        """;

    private const string InsertVersionSql = """
        INSERT INTO workflow_versions (tenant_id, workflow_id, version, definition, saved_by, saved_at)
        VALUES (@TenantId, @WorkflowId, @Version, CAST(@Definition AS jsonb), @Actor, @Now)
        """;

    private const string GetSql = $"SELECT {Columns} FROM workflows WHERE id = @Id AND deleted_at IS NULL";

    private const string LockSql = $"SELECT {Columns} FROM workflows WHERE id = @Id AND deleted_at IS NULL FOR UPDATE";

    private const string ListSql = $"SELECT {Columns} FROM workflows WHERE deleted_at IS NULL ORDER BY name, id LIMIT 1000";

    // Deleted or not: the runs of a deleted workflow stay readable.
    private const string EverExistedSql = "SELECT EXISTS (SELECT 1 FROM workflows WHERE id = @Id)";

    private const string DeleteSql = $"""
        UPDATE workflows SET enabled = false, deleted_at = @Now, deleted_by = @Actor WHERE id = @Id AND deleted_at IS NULL
        RETURNING {Columns}
        """;

    private const string VersionsSql = """
        SELECT version AS Version, definition::text AS Definition, saved_by AS SavedBy, saved_at AS SavedAt
        FROM workflow_versions WHERE workflow_id = @Id ORDER BY version DESC
        """;

    private const string StageKeysSql = "SELECT key FROM pipeline_stages";

    private const string ActiveUsersSql = "SELECT id FROM users WHERE status = 'active'";

    private const string TaskTemplateKeysSql = "SELECT key FROM task_templates";

    public static Task<WorkflowRow> InsertAsync(DbTransactionScope scope, object workflow) =>
        scope.Connection.QuerySingleAsync<WorkflowRow>(scope.Command(InsertSql, workflow));

    public static Task<WorkflowRow> ReplaceAsync(DbTransactionScope scope, object workflow) =>
        scope.Connection.QuerySingleAsync<WorkflowRow>(scope.Command(ReplaceSql, workflow));

    public static Task InsertVersionAsync(DbTransactionScope scope, Guid tenantId, WorkflowRow row) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertVersionSql, new
        {
            TenantId = tenantId, WorkflowId = row.Id, row.Version, row.Definition, Actor = row.UpdatedBy, Now = row.UpdatedAt,
        }));

    public static Task<WorkflowRow?> GetAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<WorkflowRow>(scope.Command(GetSql, new { Id = id }));

    public static Task<WorkflowRow?> LockAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<WorkflowRow>(scope.Command(LockSql, new { Id = id }));

    public static Task<bool> EverExistedAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.ExecuteScalarAsync<bool>(scope.Command(EverExistedSql, new { Id = id }));

    /// <summary>Marks the workflow deleted (and disabled); null when there is no such workflow, or it is deleted already.</summary>
    public static Task<WorkflowRow?> DeleteAsync(DbTransactionScope scope, Guid id, string actor, DateTimeOffset now) =>
        scope.Connection.QuerySingleOrDefaultAsync<WorkflowRow>(scope.Command(DeleteSql, new { Id = id, Actor = actor, Now = now }));

    public static async Task<IReadOnlyList<WorkflowRow>> ListAsync(DbTransactionScope scope) =>
        (await scope.Connection.QueryAsync<WorkflowRow>(scope.Command(ListSql))).AsList();

    public static async Task<IReadOnlyList<WorkflowVersionRow>> VersionsAsync(DbTransactionScope scope, Guid id) =>
        (await scope.Connection.QueryAsync<WorkflowVersionRow>(scope.Command(VersionsSql, new { Id = id }))).AsList();

    public static async Task<WorkflowReferences> ReferencesAsync(DbTransactionScope scope) => new(
        (await scope.Connection.QueryAsync<string>(scope.Command(StageKeysSql))).ToHashSet(StringComparer.Ordinal),
        (await scope.Connection.QueryAsync<Guid>(scope.Command(ActiveUsersSql))).ToHashSet(),
        (await Settings.CustomFieldService.LeadFieldsAsync(scope)).ToDictionary(f => f.Key, StringComparer.Ordinal),
        (await scope.Connection.QueryAsync<string>(scope.Command(TaskTemplateKeysSql))).ToHashSet(StringComparer.Ordinal));
}
