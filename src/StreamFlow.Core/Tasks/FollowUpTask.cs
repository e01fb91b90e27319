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
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Version)
{
    public string? AssigneeName { get; init; }

    /// <summary>The lead's name (first and last, else its company).</summary>
    public string? LeadName { get; init; }

    public string? JobTitle { get; init; }

    public string? CompletedByName { get; init; }

    public string? CreatedByName { get; init; }
}

/// <summary>
/// A new task, or a change to one (members left null stay as they are). The due time is either an instant
/// (<c>dueAt</c>) or a local time in the business's zone (<c>dueLocal</c>, <c>2027-03-10T15:00</c>), not both.
/// </summary>
public sealed record TaskInput(
    string? Title, string? Notes, TaskPriority? Priority, Guid? AssigneeUserId, DateTimeOffset? DueAt, string? DueLocal, Guid? LeadId, Guid? JobId);

/// <summary>
/// A PATCH of a task as sent: like <see cref="TaskInput"/>, and it knows which members were given, so that an explicit null
/// clears the assignee (<c>assigneeUserId: null</c>) or the due time (<c>dueAt: null</c> or <c>dueLocal: null</c>, the other
/// not given a value) while an absent member leaves it as it is.
/// </summary>
public sealed class TaskPatch
{
    private readonly Guid? _assigneeUserId;
    private readonly DateTimeOffset? _dueAt;
    private readonly string? _dueLocal;

    public string? Title { get; init; }

    public string? Notes { get; init; }

    public TaskPriority? Priority { get; init; }

    public Guid? AssigneeUserId { get => _assigneeUserId; init { _assigneeUserId = value; AssigneeGiven = true; } }

    public DateTimeOffset? DueAt { get => _dueAt; init { _dueAt = value; DueGiven = true; } }

    public string? DueLocal { get => _dueLocal; init { _dueLocal = value; DueGiven = true; } }

    public Guid? LeadId { get; init; }

    public Guid? JobId { get; init; }

    private bool AssigneeGiven { get; init; }

    private bool DueGiven { get; init; }

    public TaskInput ToInput() => new(Title, Notes, Priority, AssigneeUserId, DueAt, DueLocal, LeadId, JobId);

    public TaskClear Clears() => new(AssigneeGiven && AssigneeUserId is null, DueGiven && DueAt is null && DueLocal is null);
}

/// <summary>What a PATCH clears: the assignee, the due time.</summary>
public sealed record TaskClear(bool Assignee, bool Due);

public sealed record TaskFilter(TaskState? Status, Guid? AssigneeUserId, Guid? LeadId, Guid? JobId, DateTimeOffset? DueFrom, DateTimeOffset? DueTo);

public sealed record TaskPage(IReadOnlyList<FollowUpTask> Items, string? NextCursor);

/// <summary>Who acts on tasks: a signed-in user or key (<c>user:…</c>, <c>apikey:…</c>) or a workflow run (<c>workflow:…</c>).</summary>
public sealed record TaskActor(Guid TenantId, string Actor);
