using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Tasks;

internal sealed record TaskRow(
    Guid Id, string Title, string? Notes, string Priority, Guid? AssigneeUserId, DateTimeOffset? DueAt, Guid? LeadId, Guid? JobId, string Status,
    DateTimeOffset? CompletedAt, string? CompletedBy, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Version,
    string? AssigneeName, string? LeadName, string? JobTitle, string? CompletedByName, string? CreatedByName);

internal sealed record TaskReminderRow(Guid Id, string Title, string Priority, DateTimeOffset DueAt, Guid? LeadId, string Email, string Name);

/// <summary>The SQL of <c>tasks</c>. Row-level security scopes every statement to the tenant of the transaction.</summary>
internal static class TaskStore
{
    // Tasks without a due time sort after every dated one.
    public static readonly DateTimeOffset NoDue = new(2999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    private const string Columns = """
        id AS Id, title AS Title, notes AS Notes, priority AS Priority, assignee_user_id AS AssigneeUserId, due_at AS DueAt,
        lead_id AS LeadId, job_id AS JobId, status AS Status, completed_at AS CompletedAt, completed_by AS CompletedBy,
        created_by AS CreatedBy, created_at AS CreatedAt, updated_at AS UpdatedAt, version AS Version,
        (SELECT u.name FROM users AS u WHERE u.id = tasks.assignee_user_id) AS AssigneeName,
        (SELECT COALESCE(NULLIF(concat_ws(' ', l.first_name, l.last_name), ''), l.company) FROM leads AS l WHERE l.id = tasks.lead_id) AS LeadName,
        (SELECT j.title FROM jobs AS j WHERE j.id = tasks.job_id) AS JobTitle,
        actor_name(completed_by) AS CompletedByName, actor_name(created_by) AS CreatedByName
        """;

    private const string InsertSql = $"""
        INSERT INTO tasks (id, tenant_id, title, notes, priority, assignee_user_id, due_at, lead_id, job_id, created_by, created_at, updated_at)
        VALUES (@Id, @TenantId, @Title, @Notes, @Priority, @AssigneeUserId, @DueAt, @LeadId, @JobId, @CreatedBy, @Now, @Now)
        RETURNING {Columns}
        """;

    private const string GetSql = $"SELECT {Columns} FROM tasks WHERE id = @Id";

    private const string LockSql = $"SELECT {Columns} FROM tasks WHERE id = @Id FOR UPDATE";

    // A new due time earns a new reminder.
    private const string UpdateSql = $"""
        UPDATE tasks SET title = @Title, notes = @Notes, priority = @Priority, assignee_user_id = @AssigneeUserId,
            reminder_sent_at = CASE WHEN due_at IS DISTINCT FROM @DueAt THEN NULL ELSE reminder_sent_at END,
            due_at = @DueAt, lead_id = @LeadId, job_id = @JobId, updated_at = @Now, version = version + 1
        WHERE id = @Id
        RETURNING {Columns}
        """;

    private const string SetStatusSql = $"""
        UPDATE tasks SET status = @Status, completed_at = @CompletedAt, completed_by = @CompletedBy, updated_at = @Now, version = version + 1
        WHERE id = @Id
        RETURNING {Columns}
        """;

    private const string ListSql = $"""
        SELECT {Columns} FROM tasks
        WHERE (CAST(@Status AS text) IS NULL OR status = @Status)
          AND (CAST(@AssigneeUserId AS uuid) IS NULL OR assignee_user_id = @AssigneeUserId)
          AND (CAST(@LeadId AS uuid) IS NULL OR lead_id = @LeadId)
          AND (CAST(@JobId AS uuid) IS NULL OR job_id = @JobId)
          AND (CAST(@DueFrom AS timestamptz) IS NULL OR due_at >= @DueFrom)
          AND (CAST(@DueTo AS timestamptz) IS NULL OR due_at < @DueTo)
          AND (CAST(@AfterId AS uuid) IS NULL OR (coalesce(due_at, @NoDue), id) > (@AfterDue, @AfterId))
        ORDER BY coalesce(due_at, @NoDue), id
        LIMIT @Limit
        """;

    private const string OverdueSql = $"""
        SELECT {Columns} FROM tasks
        WHERE status = 'open' AND due_at < @Now
          AND (CAST(@AssigneeUserId AS uuid) IS NULL OR assignee_user_id = @AssigneeUserId)
          AND (CAST(@AfterId AS uuid) IS NULL OR (due_at, id) > (@AfterDue, @AfterId))
        ORDER BY due_at, id
        LIMIT @Limit
        """;

    private const string UserExistsSql = "SELECT EXISTS (SELECT 1 FROM users WHERE id = @Id AND status <> 'disabled')";

    private const string LeadExistsSql = "SELECT EXISTS (SELECT 1 FROM leads WHERE id = @Id AND deleted_at IS NULL)";

    private const string JobExistsSql = "SELECT EXISTS (SELECT 1 FROM jobs WHERE id = @Id)";

    // Claims the reminders that are due in this tenant; the row lock keeps two timer runs from both sending one.
    private const string ClaimRemindersSql = """
        WITH due AS (
            SELECT id FROM tasks
            WHERE status = 'open' AND reminder_sent_at IS NULL AND assignee_user_id IS NOT NULL AND due_at <= @Horizon
            ORDER BY due_at
            LIMIT @Limit
            FOR UPDATE SKIP LOCKED)
        UPDATE tasks t SET reminder_sent_at = @Now
        FROM due, users u
        WHERE t.id = due.id AND u.id = t.assignee_user_id AND u.status = 'active'
        RETURNING t.id AS Id, t.title AS Title, t.priority AS Priority, t.due_at AS DueAt, t.lead_id AS LeadId, u.email AS Email, u.name AS Name
        """;

    public static Task<TaskRow> InsertAsync(DbTransactionScope scope, object task) =>
        scope.Connection.QuerySingleAsync<TaskRow>(scope.Command(InsertSql, task));

    public static Task<TaskRow?> GetAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<TaskRow>(scope.Command(GetSql, new { Id = id }));

    public static Task<TaskRow?> LockAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<TaskRow>(scope.Command(LockSql, new { Id = id }));

    public static Task<TaskRow> UpdateAsync(DbTransactionScope scope, object task) =>
        scope.Connection.QuerySingleAsync<TaskRow>(scope.Command(UpdateSql, task));

    public static Task<TaskRow> SetStatusAsync(DbTransactionScope scope, Guid id, string status, DateTimeOffset? completedAt, string? completedBy, DateTimeOffset now) =>
        scope.Connection.QuerySingleAsync<TaskRow>(scope.Command(SetStatusSql, new { Id = id, Status = status, CompletedAt = completedAt, CompletedBy = completedBy, Now = now }));

    public static async Task<IReadOnlyList<TaskRow>> ListAsync(DbTransactionScope scope, TaskFilter filter, (DateTimeOffset Due, Guid Id)? after, int limit) =>
        (await scope.Connection.QueryAsync<TaskRow>(scope.Command(ListSql, new
        {
            Status = filter.Status is { } status ? Text(status) : null, filter.AssigneeUserId, filter.LeadId, filter.JobId, filter.DueFrom, filter.DueTo,
            AfterId = after?.Id, AfterDue = after?.Due, NoDue, Limit = limit,
        }))).AsList();

    public static async Task<IReadOnlyList<TaskRow>> OverdueAsync(DbTransactionScope scope, Guid? assignee, (DateTimeOffset Due, Guid Id)? after, DateTimeOffset now, int limit) =>
        (await scope.Connection.QueryAsync<TaskRow>(scope.Command(OverdueSql, new
        {
            AssigneeUserId = assignee, AfterId = after?.Id, AfterDue = after?.Due, Now = now, Limit = limit,
        }))).AsList();

    public static Task<bool> UserExistsAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.ExecuteScalarAsync<bool>(scope.Command(UserExistsSql, new { Id = id }));

    public static Task<bool> LeadExistsAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.ExecuteScalarAsync<bool>(scope.Command(LeadExistsSql, new { Id = id }));

    public static Task<bool> JobExistsAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.ExecuteScalarAsync<bool>(scope.Command(JobExistsSql, new { Id = id }));

    public static async Task<IReadOnlyList<TaskReminderRow>> ClaimRemindersAsync(DbTransactionScope scope, DateTimeOffset horizon, DateTimeOffset now, int limit) =>
        (await scope.Connection.QueryAsync<TaskReminderRow>(scope.Command(ClaimRemindersSql, new { Horizon = horizon, Now = now, Limit = limit }))).AsList();

    public static string Text(TaskState state) => state == TaskState.Open ? "open" : "done";

    public static string Text(TaskPriority priority) => priority switch
    {
        TaskPriority.Low => "low",
        TaskPriority.High => "high",
        TaskPriority.Urgent => "urgent",
        _ => "normal",
    };

    public static TaskPriority Priority(string text) => text switch
    {
        "low" => TaskPriority.Low,
        "high" => TaskPriority.High,
        "urgent" => TaskPriority.Urgent,
        _ => TaskPriority.Normal,
    };
}
