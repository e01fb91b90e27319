using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.FieldOps;
using StreamFlow.Core.FieldOps.Jobs;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.FieldOps;

/// <summary>Visits: the dispatch board assigns them, the technician's phone moves them along. Without FieldOpsManage one sees only one's own.</summary>
public sealed class VisitFunctions(RequestBody body, VisitService visits)
{
    [Function("ListVisits")]
    [ClientAccess(Permission.FieldWork)]
    [ApiOperation("Visits, newest first, filtered by local date, status, technicianId and jobId; a technician sees only their own.", Tag = "Field operations",
        Response = typeof(VisitPage), Query = ["date", "status", "technicianId", "jobId", "limit", "cursor"])]
    public Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/visits")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var filter = new VisitFilter(QueryParameters.Date(request, "date", errors), QueryParameters.Text(request, "status"),
            QueryParameters.Id(request, "technicianId", errors), QueryParameters.Id(request, "jobId", errors));
        return FieldActors.PageAsync(request, errors, page => visits.ListAsync(FieldActors.Of(request), filter, page.Limit, page.Cursor, cancellationToken));
    }

    [Function("GetVisit")]
    [ClientAccess(Permission.FieldWork)]
    [ApiOperation("One visit; a technician's own only (404 otherwise).", Tag = "Field operations", Response = typeof(Visit), Problems = [404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/visits/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await visits.GetAsync(FieldActors.Of(request), id, cancellationToken), visit => ApiResults.Json(visit), request);

    [Function("UpdateVisit")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Changes a scheduled visit's window, duration, needs or notes (absent fields keep their value); 409 once under way.", Tag = "Field operations",
        RequestBody = typeof(VisitInput), Response = typeof(Visit), Problems = [403, 404, 409])]
    public Task<IResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "v1/visits/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<VisitInput, Visit>(body, request, input => visits.UpdateAsync(FieldActors.Of(request), id, input, cancellationToken), StatusCodes.Status200OK, cancellationToken);

    [Function("DeleteVisit")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Deletes a scheduled visit; 409 once under way (cancel it instead).", Tag = "Field operations", SuccessStatus = 204, Problems = [403, 404, 409])]
    public async Task<IResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/visits/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await visits.DeleteAsync(FieldActors.Of(request), id, cancellationToken), _ => TypedResults.NoContent(), request);

    [Function("AssignVisit")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Assigns technicians by hand (an empty list unassigns), optionally at scheduledStart. 409 with conflictingVisitId when one is already busy then; "
        + "422 when one lacks a required skill or valid certification, unless override.reason is given (audited).",
        Tag = "Field operations", RequestBody = typeof(AssignmentInput), Response = typeof(Visit), Problems = [403, 404, 409, 422])]
    public Task<IResult> Assign(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/visits/{id:guid}/assignment")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<AssignmentInput, Visit>(body, request, input => visits.AssignAsync(FieldActors.Of(request), id, input, cancellationToken), StatusCodes.Status200OK, cancellationToken);

    [Function("ChangeVisitStatus")]
    [ClientAccess(Permission.FieldWork)]
    [ApiOperation("Moves a visit: scheduled → en_route → on_site → completed, or cancelled (dispatchers only); any other move is 409. A technician moves only their own.",
        Tag = "Field operations", RequestBody = typeof(StatusChange), Response = typeof(Visit), Problems = [403, 404, 409])]
    public Task<IResult> ChangeStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/visits/{id:guid}/status")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<StatusChange, Visit>(body, request, input => visits.ChangeStatusAsync(FieldActors.Of(request), id, input, cancellationToken), StatusCodes.Status200OK, cancellationToken);

    [Function("ReportVisitLate")]
    [ClientAccess(Permission.FieldWork)]
    [ApiOperation("A technician reports they will start the visit minutes (1 to 720) after its planned start; the day is re-planned in the background and the technicians affected are told. Own visits only; 409 once on site.",
        Tag = "Field operations", RequestBody = typeof(LateReport), Response = typeof(Visit), Problems = [404, 409])]
    public Task<IResult> ReportLate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/visits/{id:guid}/late")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<LateReport, Visit>(body, request, input => visits.ReportLateAsync(FieldActors.Of(request), id, input, cancellationToken), StatusCodes.Status200OK, cancellationToken);
}
