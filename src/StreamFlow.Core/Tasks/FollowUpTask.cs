namespace StreamFlow.Core.Tasks;

public enum TaskPriority
{
    Low,
    Normal,
    High,
    Urgent,
}

public enum TaskState
{
    Open,
    Done,
}

/// <summary>
/// A follow-up: something a person of the business must do by a time, about a lead or a job. <c>dueLocal</c> is the
/// due time in the business's time zone (<c>timeZone</c>); <c>overdue</c> is true while it is open past its due time.
/// </summary>
public sealed record FollowUpTask(
    Guid Id, string Title, string? Notes, TaskPriority Priority, Guid? AssigneeUserId, DateTimeOffset? DueAt, string? DueLocal, string TimeZone,
    Guid? LeadId, Guid? JobId, TaskState Status, bool Overdue, DateTimeOffset? CompletedAt, string? CompletedBy, string CreatedBy,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Version);

/// <summary>
/// A new task, or a change to one (members left null stay as they are). The due time is either an instant
/// (<c>dueAt</c>) or a local time in the business's zone (<c>dueLocal</c>, <c>2027-03-10T15:00</c>), not both.
/// </summary>
public sealed record TaskInput(
    string? Title, string? Notes, TaskPriority? Priority, Guid? AssigneeUserId, DateTimeOffset? DueAt, string? DueLocal, Guid? LeadId, Guid? JobId);

public sealed record TaskFilter(TaskState? Status, Guid? AssigneeUserId, Guid? LeadId, Guid? JobId, DateTimeOffset? DueFrom, DateTimeOffset? DueTo);

public sealed record TaskPage(IReadOnlyList<FollowUpTask> Items, string? NextCursor);

/// <summary>Who acts on tasks: a signed-in user or key (<c>user:…</c>, <c>apikey:…</c>) or a workflow run (<c>workflow:…</c>).</summary>
public sealed record TaskActor(Guid TenantId, string Actor);
