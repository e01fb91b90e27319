using System.Globalization;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Settings;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Core.Tasks;

/// <summary>
/// Follow-up tasks: create, change, complete and reopen, list and the overdue list. Each change publishes its
/// <c>task.*</c> webhook event in the same transaction.
/// </summary>
public sealed class TaskService(StreamFlowDatabase database, WebhookOutbox outbox, TimeProvider timeProvider)
{
    public const int MaxTitleLength = 200;
    public const int MaxNotesLength = 4000;

    public async Task<Result<FollowUpTask>> CreateAsync(TaskActor actor, TaskInput input, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        return await database.InTenantAsync<Result<FollowUpTask>>(actor.TenantId, async scope =>
        {
            var zone = await ZoneAsync(scope);
            var errors = new ValidationErrors().Required("title", input.Title, MaxTitleLength);
            var due = await ValidateAsync(scope, input, zone, errors);
            if (errors.ToProblem() is { } invalid)
            {
                return invalid;
            }

            var row = await TaskStore.InsertAsync(scope, new
            {
                Id = Guid.CreateVersion7(), actor.TenantId, Title = input.Title!.Trim(), Notes = Blank(input.Notes),
                Priority = TaskStore.Text(input.Priority ?? TaskPriority.Normal), input.AssigneeUserId, DueAt = due, input.LeadId, input.JobId,
                CreatedBy = actor.Actor, Now = now,
            });
            return await PublishAsync(scope, actor.TenantId, WebhookEventCatalog.TaskCreated, row, zone, now, cancellationToken);
        }, cancellationToken);
    }

    public Task<Result<FollowUpTask>> GetAsync(Guid tenantId, Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope =>
        {
            var row = await TaskStore.GetAsync(scope, id);
            return row is null ? Problem.NotFound("The task") : Result<FollowUpTask>.Success(View(row, await ZoneAsync(scope), timeProvider.GetUtcNow()));
        }, cancellationToken);

    /// <summary>Changes the members given; <paramref name="clear"/> empties the assignee or the due time. A new due time earns a new reminder.</summary>
    public async Task<Result<FollowUpTask>> UpdateAsync(TaskActor actor, Guid id, TaskInput input, CancellationToken cancellationToken, TaskClear? clear = null)
    {
        var now = timeProvider.GetUtcNow();
        return await database.InTenantAsync<Result<FollowUpTask>>(actor.TenantId, async scope =>
        {
            if (await TaskStore.LockAsync(scope, id) is not { } current)
            {
                return Problem.NotFound("The task");
            }

            var zone = await ZoneAsync(scope);
            var errors = new ValidationErrors();
            if (input.Title is not null)
            {
                errors.Required("title", input.Title, MaxTitleLength);
            }

            var due = await ValidateAsync(scope, input, zone, errors);
            if (errors.ToProblem() is { } invalid)
            {
                return invalid;
            }

            var row = await TaskStore.UpdateAsync(scope, new
            {
                Id = id, Title = input.Title?.Trim() ?? current.Title, Notes = input.Notes is null ? current.Notes : Blank(input.Notes),
                Priority = input.Priority is { } priority ? TaskStore.Text(priority) : current.Priority,
                AssigneeUserId = clear is { Assignee: true } ? null : input.AssigneeUserId ?? current.AssigneeUserId,
                DueAt = clear is { Due: true } ? null : due ?? current.DueAt,
                LeadId = input.LeadId ?? current.LeadId, JobId = input.JobId ?? current.JobId, Now = now,
            });
            return await PublishAsync(scope, actor.TenantId, WebhookEventCatalog.TaskUpdated, row, zone, now, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>Marks the task done (task.completed); completing a done task changes nothing.</summary>
    public Task<Result<FollowUpTask>> CompleteAsync(TaskActor actor, Guid id, CancellationToken cancellationToken) =>
        SetStatusAsync(actor, id, TaskState.Done, cancellationToken);

    /// <summary>Undoes completion (task.reopened); reopening an open task changes nothing.</summary>
    public Task<Result<FollowUpTask>> ReopenAsync(TaskActor actor, Guid id, CancellationToken cancellationToken) =>
        SetStatusAsync(actor, id, TaskState.Open, cancellationToken);

    /// <summary>Tasks by due time (undated last), filtered.</summary>
    public Task<Result<TaskPage>> ListAsync(Guid tenantId, TaskFilter filter, int limit, string? cursor, CancellationToken cancellationToken) =>
        PageAsync(tenantId, cursor, limit, (scope, after, _) => TaskStore.ListAsync(scope, filter with
        {
            DueFrom = filter.DueFrom?.ToUniversalTime(), DueTo = filter.DueTo?.ToUniversalTime(),
        }, after, limit + 1), cancellationToken);

    /// <summary>Open tasks past their due time, the longest overdue first.</summary>
    public Task<Result<TaskPage>> OverdueAsync(Guid tenantId, Guid? assignee, int limit, string? cursor, CancellationToken cancellationToken) =>
        PageAsync(tenantId, cursor, limit, (scope, after, now) => TaskStore.OverdueAsync(scope, assignee, after, now, limit + 1), cancellationToken);

    private async Task<Result<TaskPage>> PageAsync(
        Guid tenantId, string? cursor, int limit, Func<DbTransactionScope, (DateTimeOffset, Guid)?, DateTimeOffset, Task<IReadOnlyList<TaskRow>>> query,
        CancellationToken cancellationToken)
    {
        (DateTimeOffset, Guid)? after = null;
        if (cursor is not null)
        {
            if (!TryDecode(cursor, out var key))
            {
                return Problem.Validation("cursor", Cursor.NotOurs);
            }

            after = key;
        }

        var now = timeProvider.GetUtcNow();
        return await database.InTenantAsync(tenantId, async scope =>
        {
            var zone = await ZoneAsync(scope);
            var rows = await query(scope, after, now);
            var items = rows.Take(limit).Select(row => View(row, zone, now)).ToList();
            var next = rows.Count > limit ? Encode(rows[limit - 1]) : null;
            return Result<TaskPage>.Success(new TaskPage(items, next));
        }, cancellationToken);
    }

    private async Task<Result<FollowUpTask>> SetStatusAsync(TaskActor actor, Guid id, TaskState state, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        return await database.InTenantAsync<Result<FollowUpTask>>(actor.TenantId, async scope =>
        {
            if (await TaskStore.LockAsync(scope, id) is not { } current)
            {
                return Problem.NotFound("The task");
            }

            var zone = await ZoneAsync(scope);
            if (current.Status == TaskStore.Text(state))
            {
                return View(current, zone, now);
            }

            var done = state == TaskState.Done;
            var row = await TaskStore.SetStatusAsync(scope, id, TaskStore.Text(state), done ? now : null, done ? actor.Actor : null, now);
            var eventType = done ? WebhookEventCatalog.TaskCompleted : WebhookEventCatalog.TaskReopened;
            return await PublishAsync(scope, actor.TenantId, eventType, row, zone, now, cancellationToken);
        }, cancellationToken);
    }

    // Field rules that need the database (references) or the business's zone (a local due time).
    private static async Task<DateTimeOffset?> ValidateAsync(DbTransactionScope scope, TaskInput input, TimeZoneInfo zone, ValidationErrors errors)
    {
        errors.MaxLength("notes", input.Notes, MaxNotesLength);
        if (input.AssigneeUserId is { } assignee && !await TaskStore.UserExistsAsync(scope, assignee))
        {
            errors.Add("assigneeUserId", "is not an active user of this business.");
        }

        if (input.LeadId is { } lead && !await TaskStore.LeadExistsAsync(scope, lead))
        {
            errors.Add("leadId", "is not a lead of this business.");
        }

        if (input.JobId is { } job && !await TaskStore.JobExistsAsync(scope, job))
        {
            errors.Add("jobId", "is not a job of this business.");
        }

        if (input.DueAt is not null && input.DueLocal is not null)
        {
            errors.Add("dueLocal", "give either dueAt or dueLocal, not both.");
            return null;
        }

        if (input.DueAt is { } dueAt)
        {
            if (!SupportedDates.Contains(dueAt))
            {
                errors.Add("dueAt", SupportedDates.Message);
            }

            return dueAt.ToUniversalTime();
        }

        if (input.DueLocal is not { } local)
        {
            return null;
        }

        if (!DateTime.TryParseExact(local, ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
            || !SupportedDates.ContainsYear(parsed.Year))
        {
            errors.Add("dueLocal", "must be a local date and time as YYYY-MM-DDTHH:mm, in the business's time zone.");
            return null;
        }

        return BusinessCalendar.ToInstant(zone, DateOnly.FromDateTime(parsed), TimeOnly.FromDateTime(parsed));
    }

    private async Task<FollowUpTask> PublishAsync(
        DbTransactionScope scope, Guid tenantId, string eventType, TaskRow row, TimeZoneInfo zone, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var task = View(row, zone, now);
        await outbox.AddAsync(scope, tenantId, eventType, task, now, cancellationToken);
        return task;
    }

    private static async Task<TimeZoneInfo> ZoneAsync(DbTransactionScope scope) =>
        TimeZoneInfo.FindSystemTimeZoneById((await TenantSettingsService.ReadAsync(scope)).TimeZone);

    internal static FollowUpTask View(TaskRow row, TimeZoneInfo zone, DateTimeOffset now) => new(
        row.Id, row.Title, row.Notes, TaskStore.Priority(row.Priority), row.AssigneeUserId, row.DueAt,
        row.DueAt is { } due ? TimeZoneInfo.ConvertTime(due, zone).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture) : null, zone.Id,
        row.LeadId, row.JobId, row.Status == "done" ? TaskState.Done : TaskState.Open, row.Status == "open" && row.DueAt < now,
        row.CompletedAt, row.CompletedBy, row.CreatedBy, row.CreatedAt, row.UpdatedAt, row.Version)
    {
        AssigneeName = row.AssigneeName, LeadName = row.LeadName, JobTitle = row.JobTitle, CompletedByName = row.CompletedByName, CreatedByName = row.CreatedByName,
    };

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string Encode(TaskRow row) =>
        Cursor.Encode(FormattableString.Invariant($"{(row.DueAt ?? TaskStore.NoDue).UtcTicks}|{row.Id}"));

    private static bool TryDecode(string cursor, out (DateTimeOffset, Guid) key)
    {
        key = default;
        if (!Cursor.TryDecode(cursor, 200, out var text) || text.Split('|') is not [var ticks, var id]
            || !long.TryParse(ticks, NumberStyles.None, CultureInfo.InvariantCulture, out var utcTicks)
            || utcTicks > DateTimeOffset.MaxValue.UtcTicks || !Guid.TryParse(id, out var guid))
        {
            return false;
        }

        key = (new DateTimeOffset(utcTicks, TimeSpan.Zero), guid);
        return true;
    }
}
