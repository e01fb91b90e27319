using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.FieldOps.Technicians;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.FieldOps;

/// <summary>Technicians' time off: dispatch plans around it, hand assignment refuses it, and recording it re-plans the days it touches.</summary>
public sealed class TimeOffFunctions(RequestBody body, TimeOffService timeOff)
{
    [Function("CreateTimeOff")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Records time off (start, end as instants; reason). Scheduled visits of the technician it overlaps are listed and their days re-planned in the background.",
        Tag = "Field operations", RequestBody = typeof(TimeOffInput), Response = typeof(TimeOffRecorded), SuccessStatus = 201, Problems = [403, 404])]
    public Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/technicians/{id:guid}/time-off")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<TimeOffInput, TimeOffRecorded>(body, request,
            input => timeOff.CreateAsync(FieldActors.Of(request), id, input, cancellationToken), StatusCodes.Status201Created, cancellationToken);

    [Function("ListTimeOff")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("The technician's time off, in order of start.", Tag = "Field operations", Response = typeof(TimeOffList), Problems = [403, 404])]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/technicians/{id:guid}/time-off")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await timeOff.ListAsync(FieldActors.Of(request), id, cancellationToken), list => ApiResults.Json(list), request);

    [Function("DeleteTimeOff")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Removes a stretch of time off.", Tag = "Field operations", SuccessStatus = 204, Problems = [403, 404])]
    public async Task<IResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/technicians/{id:guid}/time-off/{timeOffId}")] HttpRequest request,
        Guid id,
        string timeOffId,
        CancellationToken cancellationToken) =>
        ApiResults.From(
            Guid.TryParse(timeOffId, out var parsed) ? await timeOff.DeleteAsync(FieldActors.Of(request), id, parsed, cancellationToken) : Problem.NotFound("The time off"),
            _ => TypedResults.NoContent(), request);
}
