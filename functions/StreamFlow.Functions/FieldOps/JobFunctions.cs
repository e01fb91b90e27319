using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.FieldOps;
using StreamFlow.Core.FieldOps.Jobs;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.FieldOps;

/// <summary>Jobs and their visits: the office's side.</summary>
public sealed class JobFunctions(RequestBody body, JobService jobs, VisitService visits)
{
    [Function("CreateJob")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Creates a job at a service address (coordinates given), optionally for a lead, one-off or recurring (weekly, monthly, everyNDays through until); "
        + "with visit, creates the first visit and, for a recurring job, one per occurrence.",
        Tag = "Field operations", RequestBody = typeof(JobInput), Response = typeof(JobCreated), SuccessStatus = 201, Problems = [403, 422])]
    public Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/jobs")] HttpRequest request,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<JobInput, JobCreated>(body, request, input => jobs.CreateAsync(FieldActors.Of(request), input, cancellationToken), StatusCodes.Status201Created, cancellationToken);

    [Function("ListJobs")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Jobs, newest first, optionally of one lead.", Tag = "Field operations", Response = typeof(JobPage), Query = ["leadId", "limit", "cursor"])]
    public Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/jobs")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var leadId = QueryParameters.Id(request, "leadId", errors);
        return FieldActors.PageAsync(request, errors, page => jobs.ListAsync(FieldActors.Of(request), leadId, page.Limit, page.Cursor, cancellationToken));
    }

    [Function("GetJob")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("One job.", Tag = "Field operations", Response = typeof(Job), Problems = [404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/jobs/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await jobs.GetAsync(FieldActors.Of(request), id, cancellationToken), job => ApiResults.Json(job), request);

    [Function("UpdateJob")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Changes the fields sent (absent ones keep their value); existing visits keep their times.", Tag = "Field operations",
        RequestBody = typeof(JobInput), Response = typeof(Job), Problems = [403, 404, 422])]
    public Task<IResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "v1/jobs/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<JobInput, Job>(body, request, input => jobs.UpdateAsync(FieldActors.Of(request), id, input, cancellationToken), StatusCodes.Status200OK, cancellationToken);

    [Function("DeleteJob")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Deletes a job and cancels its scheduled visits; 409 once a visit has started.", Tag = "Field operations", SuccessStatus = 204, Problems = [403, 404, 409])]
    public async Task<IResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/jobs/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await jobs.DeleteAsync(FieldActors.Of(request), id, cancellationToken), _ => TypedResults.NoContent(), request);

    [Function("CreateVisit")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Adds a visit to a job: arrival window (UTC), minutes on site, required skills and certifications, notes.", Tag = "Field operations",
        RequestBody = typeof(VisitInput), Response = typeof(Visit), SuccessStatus = 201, Problems = [403, 404])]
    public Task<IResult> CreateVisit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/jobs/{id:guid}/visits")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<VisitInput, Visit>(body, request, input => visits.CreateAsync(FieldActors.Of(request), id, input, cancellationToken), StatusCodes.Status201Created, cancellationToken);
}
