using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Workflows;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Workflows;

/// <summary>The business's workflows: definitions, checked and versioned on every save (docs/workflows.md).</summary>
public sealed class WorkflowFunctions(RequestBody body, WorkflowService workflows)
{
    [Function("CreateWorkflow")]
    [ClientAccess(Permission.PipelineManage)]
    [ApiOperation("Saves a new workflow as version 1: trigger (an event type of the catalogue, or a schedule), conditions, steps. "
        + "A malformed definition is a 400 naming each member; a stage, user, template or field that does not exist, or a comparison of a number with text, a 422 naming it.",
        Tag = "Workflows", RequestBody = typeof(WorkflowDefinition), Response = typeof(Workflow), SuccessStatus = 201, Problems = [403, 422])]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/workflows")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var definition = await body.ReadJsonAsync<WorkflowDefinition>(request, cancellationToken);
        var caller = request.Client();
        var created = definition.Succeeded ? await workflows.CreateAsync(caller.TenantId, caller.Actor, definition.Value, cancellationToken) : definition.Problem;
        return ApiResults.From(created, workflow => ApiResults.Json(workflow, StatusCodes.Status201Created), request);
    }

    [Function("ListWorkflows")]
    [ClientAccess(Permission.PipelineManage)]
    [ApiOperation("The business's workflows by name, each at its current version.", Tag = "Workflows", Response = typeof(WorkflowList))]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/workflows")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await workflows.ListAsync(request.Client().TenantId, cancellationToken));

    [Function("GetWorkflow")]
    [ClientAccess(Permission.PipelineManage)]
    [ApiOperation("One workflow at its current version.", Tag = "Workflows", Response = typeof(Workflow), Problems = [404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/workflows/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await workflows.GetAsync(request.Client().TenantId, id, cancellationToken), workflow => ApiResults.Json(workflow), request);

    [Function("ReplaceWorkflow")]
    [ClientAccess(Permission.PipelineManage)]
    [ApiOperation("Saves the next version of a workflow (also how it is enabled or disabled), checked as on creation.",
        Tag = "Workflows", RequestBody = typeof(WorkflowDefinition), Response = typeof(Workflow), Problems = [403, 404, 422])]
    public async Task<IResult> Replace(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/workflows/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var definition = await body.ReadJsonAsync<WorkflowDefinition>(request, cancellationToken);
        var caller = request.Client();
        var saved = definition.Succeeded ? await workflows.ReplaceAsync(caller.TenantId, caller.Actor, id, definition.Value, cancellationToken) : definition.Problem;
        return ApiResults.From(saved, workflow => ApiResults.Json(workflow), request);
    }

    [Function("DeleteWorkflow")]
    [ClientAccess(Permission.PipelineManage)]
    [ApiOperation("Deletes a workflow: it triggers nothing from then on and leaves the list; its runs still in flight are cancelled with the reason "
        + "(status cancelled; a step already under way finishes, nothing after it is taken). Its runs' logs stay readable at /api/v1/workflows/{id}/runs "
        + "and /api/v1/workflow-runs/{id}. Audited as workflow.deleted.",
        Tag = "Workflows", Response = typeof(WorkflowDeletion), Problems = [403, 404])]
    public async Task<IResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/workflows/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var caller = request.Client();
        return ApiResults.From(await workflows.DeleteAsync(caller.TenantId, caller.Actor, id, RequestOrigins.Of(request), cancellationToken),
            deletion => ApiResults.Json(deletion), request);
    }

    [Function("ListWorkflowVersions")]
    [ClientAccess(Permission.PipelineManage)]
    [ApiOperation("Every saved version of a workflow, newest first, with who saved it and when.", Tag = "Workflows",
        Response = typeof(WorkflowVersionList), Problems = [404])]
    public async Task<IResult> Versions(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/workflows/{id:guid}/versions")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await workflows.VersionsAsync(request.Client().TenantId, id, cancellationToken), versions => ApiResults.Json(versions), request);

    [Function("DryRunWorkflow")]
    [ClientAccess(Permission.PipelineManage)]
    [ApiOperation("Shows what a run would do now without doing it: each trigger condition with the value it found, then each step in order "
        + "(waits as due times in the business's zone, branches taken, a wait's onTimeout steps when its condition does not hold now). "
        + "event is the trigger event's data (the catalogue's example when omitted); leadId a lead whose current state lead.* conditions read.",
        Tag = "Workflows", RequestBody = typeof(WorkflowDryRunRequest), Response = typeof(WorkflowDryRun), Problems = [404])]
    public async Task<IResult> DryRun(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/workflows/{id:guid}/dry-run")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var dryRun = await body.ReadJsonAsync<WorkflowDryRunRequest>(request, cancellationToken);
        var result = dryRun.Succeeded ? await workflows.DryRunAsync(request.Client().TenantId, id, dryRun.Value, cancellationToken) : dryRun.Problem;
        return ApiResults.From(result, plan => ApiResults.Json(plan), request);
    }
}
