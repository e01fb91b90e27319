using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Workflows;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Workflows;

/// <summary>The run log of the business's workflows (docs/workflows.md).</summary>
public sealed class WorkflowRunFunctions(WorkflowRunService runs)
{
    [Function("ListWorkflowRuns")]
    [ClientAccess(Permission.PipelineManage)]
    [ApiOperation("The workflow's runs, newest first, a page of limit (200 when not given, at most 500) with nextCursor for the older ones; "
        + "optionally of one status (queued, dispatched, running, waiting, completed, skipped, failed, cancelled): "
        + "the version each is pinned to, what triggered it, its lead, its depth and where it stands.",
        Tag = "Workflows", Response = typeof(WorkflowRunList), Query = ["status", "limit", "cursor"], Problems = [404])]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/workflows/{id:guid}/runs")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var page = Paging.Read(request);
        if (!page.Succeeded)
        {
            return ApiResults.Problem(page.Problem, request.HttpContext);
        }

        var limit = request.Query.ContainsKey("limit") ? page.Value.Limit : WorkflowRunService.MaxListed;
        return ApiResults.From(await runs.ListAsync(request.Client().TenantId, id, request.Query["status"].FirstOrDefault(), cancellationToken, limit, page.Value.Cursor),
            list => ApiResults.Json(list), request);
    }

    [Function("GetWorkflowRun")]
    [ClientAccess(Permission.PipelineManage)]
    [ApiOperation("One run and its log: the trigger's conditions as checked, then each step taken with its input, result, status and attempts.",
        Tag = "Workflows", Response = typeof(WorkflowRunDetail), Problems = [404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/workflow-runs/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await runs.GetAsync(request.Client().TenantId, id, cancellationToken), run => ApiResults.Json(run), request);
}
