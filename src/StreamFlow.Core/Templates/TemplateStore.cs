using StreamFlow.Core.Database;

namespace StreamFlow.Core.Templates;

internal sealed record AppliedItemRow(string Kind, string Key, Guid? TargetId);

/// <summary>The SQL of what templates put into a tenant; every method runs in the caller's tenant transaction.</summary>
internal static class TemplateStore
{
    // One application at a time per tenant: two at once would both see an item as new.
    private const string LockSql = "SELECT pg_advisory_xact_lock(hashtextextended('industry-template:' || @TenantId::text, 0))";

    private const string AppliedSql = """
        SELECT kind AS Kind, key AS Key, target_id AS TargetId FROM template_applied_items WHERE template = @Template
        """;

    private const string RecordSql = """
        INSERT INTO template_applied_items (tenant_id, template, kind, key, target_id, applied_by, applied_at)
        VALUES (@TenantId, @Template, @Kind, @Key, @TargetId, @Actor, @Now)
        ON CONFLICT (tenant_id, template, kind, key) DO NOTHING
        """;

    private const string WorkflowExistsSql = "SELECT EXISTS (SELECT 1 FROM workflows WHERE id = @Id AND deleted_at IS NULL)";

    private const string WorkflowNamedSql = "SELECT EXISTS (SELECT 1 FROM workflows WHERE lower(name) = lower(@Name) AND deleted_at IS NULL)";

    public static async Task LockAsync(DbTransactionScope scope, Guid tenantId) =>
        await scope.ExecuteScalarAsync<object>(LockSql, new { TenantId = tenantId });

    public static async Task<IReadOnlyList<AppliedItemRow>> AppliedAsync(DbTransactionScope scope, string template) =>
        [.. await scope.QueryAsync<AppliedItemRow>(AppliedSql, new { Template = template })];

    public static Task RecordAsync(DbTransactionScope scope, Guid tenantId, string template, string kind, string key, Guid? targetId, string actor, DateTimeOffset now) =>
        scope.ExecuteAsync(RecordSql, new { TenantId = tenantId, Template = template, Kind = kind, Key = key, TargetId = targetId, Actor = actor, Now = now });

    public static async Task<bool> WorkflowExistsAsync(DbTransactionScope scope, Guid id) =>
        await scope.ExecuteScalarAsync<bool>(WorkflowExistsSql, new { Id = id });

    public static async Task<bool> WorkflowNamedAsync(DbTransactionScope scope, string name) =>
        await scope.ExecuteScalarAsync<bool>(WorkflowNamedSql, new { Name = name });
}
