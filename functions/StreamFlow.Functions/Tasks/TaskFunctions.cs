using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Tasks;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Tasks;

/// <summary>Follow-up tasks of a client business (docs/workflows.md).</summary>
public sealed class TaskFunctions(RequestBody body, TaskService tasks)
{
    [Function("CreateTask")]
    [ClientAccess(Permission.LeadsWrite)]
    [ApiOperation("Creates a follow-up task: title, notes, priority, assignee, due time (dueAt as an instant, or dueLocal in the business's time zone), "
        + "and a lead or job it is about. Publishes task.created.", Tag = "Tasks", RequestBody = typeof(TaskInput), Response = typeof(FollowUpTask),
        SuccessStatus = 201, Problems = [403])]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/tasks")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var input = await body.ReadJsonAsync<TaskInput>(request, cancellationToken);
        var created = input.Succeeded ? await tasks.CreateAsync(TaskQuery.Actor(request), input.Value, cancellationToken) : input.Problem;
        return ApiResults.From(created, task => ApiResults.Json(task, StatusCodes.Status201Created), request);
    }

    [Function("ListTasks")]
    [ClientAccess(Permission.LeadsRead)]
    [ApiOperation("Tasks by due time (undated last), filtered by status (open, done), assignee (a user id or me), leadId, jobId and a due range (dueFrom, dueTo).",
        Tag = "Tasks", Response = typeof(TaskPage), Query = ["status", "assignee", "leadId", "jobId", "dueFrom", "dueTo", "limit", "cursor"])]
    public Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/tasks")] HttpRequest request,
        CancellationToken cancellationToken) =>
        TaskQuery.PageAsync(request, TaskQuery.Filter(request, out var errors), errors,
            (filter, page) => tasks.ListAsync(request.Client().TenantId, filter, page.Limit, page.Cursor, cancellationToken));

    [Function("ListOverdueTasks")]
    [ClientAccess(Permission.LeadsRead)]
    [ApiOperation("Open tasks past their due time, the longest overdue first; assignee (a user id or me) narrows it.",
        Tag = "Tasks", Response = typeof(TaskPage), Query = ["assignee", "limit", "cursor"])]
    public Task<IResult> Overdue(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/tasks/overdue")] HttpRequest request,
        CancellationToken cancellationToken) =>
        TaskQuery.PageAsync(request, TaskQuery.Filter(request, out var errors), errors,
            (filter, page) => tasks.OverdueAsync(request.Client().TenantId, filter.AssigneeUserId, page.Limit, page.Cursor, cancellationToken));

    [Function("GetTask")]
    [ClientAccess(Permission.LeadsRead)]
    [ApiOperation("One task.", Tag = "Tasks", Response = typeof(FollowUpTask), Problems = [404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/tasks/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await tasks.GetAsync(request.Client().TenantId, id, cancellationToken), task => ApiResults.Json(task), request);

    [Function("UpdateTask")]
    [ClientAccess(Permission.LeadsWrite)]
    [ApiOperation("Changes the members given; an absent member stays as it is, and an explicit null clears the assignee (assigneeUserId) "
        + "or the due time (dueAt or dueLocal); a new due time earns a new reminder. Publishes task.updated.",
        Tag = "Tasks", RequestBody = typeof(TaskInput), Response = typeof(FollowUpTask), Problems = [403, 404])]
    public async Task<IResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "v1/tasks/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var patch = await body.ReadJsonAsync<TaskPatch>(request, cancellationToken);
        var updated = patch.Succeeded ? await tasks.UpdateAsync(TaskQuery.Actor(request), id, patch.Value.ToInput(), cancellationToken, patch.Value.Clears()) : patch.Problem;
        return ApiResults.From(updated, task => ApiResults.Json(task), request);
    }

    [Function("CompleteTask")]
    [ClientAccess(Permission.LeadsWrite)]
    [ApiOperation("Marks the task done (task.completed); a done task stays as it is.", Tag = "Tasks", Response = typeof(FollowUpTask), Problems = [403, 404])]
    public async Task<IResult> Complete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/tasks/{id:guid}/completion")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await tasks.CompleteAsync(TaskQuery.Actor(request), id, cancellationToken), task => ApiResults.Json(task), request);

    [Function("ReopenTask")]
    [ClientAccess(Permission.LeadsWrite)]
    [ApiOperation("Undoes the completion (task.reopened); an open task stays as it is.", Tag = "Tasks", Response = typeof(FollowUpTask), Problems = [403, 404])]
    public async Task<IResult> Reopen(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/tasks/{id:guid}/completion")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await tasks.ReopenAsync(TaskQuery.Actor(request), id, cancellationToken), task => ApiResults.Json(task), request);
}
