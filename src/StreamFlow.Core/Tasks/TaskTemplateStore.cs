using StreamFlow.Core.Database;

namespace StreamFlow.Core.Tasks;

/// <summary>The SQL of task templates; every method runs in the caller's tenant transaction.</summary>
internal static class TaskTemplateStore
{
    private const string Columns = "key AS Key, title AS Title, priority AS Priority, due_in_business_minutes AS DueInBusinessMinutes";

    private const string ListSql = $"SELECT {Columns} FROM task_templates ORDER BY key";

    private const string FindSql = $"SELECT {Columns} FROM task_templates WHERE key = @Key";

    private const string InsertSql = """
        INSERT INTO task_templates (id, tenant_id, key, title, priority, due_in_business_minutes, created_by, created_at)
        VALUES (@Id, @TenantId, @Key, @Title, @Priority, @DueInBusinessMinutes, @Actor, @Now)
        ON CONFLICT (tenant_id, key) DO NOTHING
        """;

    public static async Task<IReadOnlyList<TaskTemplate>> ListAsync(DbTransactionScope scope) => [.. await scope.QueryAsync<TaskTemplate>(ListSql)];

    public static Task<TaskTemplate?> FindAsync(DbTransactionScope scope, string key) => scope.QuerySingleOrDefaultAsync<TaskTemplate>(FindSql, new { Key = key });

    public static Task InsertAsync(DbTransactionScope scope, Guid tenantId, TaskTemplate template, string actor, DateTimeOffset now) =>
        scope.ExecuteAsync(InsertSql, new
        {
            Id = Guid.CreateVersion7(), TenantId = tenantId, template.Key, template.Title, template.Priority, template.DueInBusinessMinutes, Actor = actor, Now = now,
        });
}
