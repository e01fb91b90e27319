using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.FieldOps.TimeClock;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.FieldOps;

/// <summary>The time clock and timesheets: technicians upload punches and read their own time; managers compute, approve and export.</summary>
public sealed class TimeClockFunctions(RequestBody body, TimeClockService clock, TimesheetService timesheets)
{
    [Function("UploadPunches")]
    [ClientAccess(Permission.FieldWork)]
    [ApiOperation("Uploads the caller's punches (clockIn, breakStart, breakEnd, clockOut) with device-generated ids and device times: repeats are ignored, "
        + "a device time beyond the server's clock + 5 minutes or a position without accuracyMetres is 400, a punch outside the visit's geofence is kept and flagged.",
        Tag = "Time clock", RequestBody = typeof(PunchUpload), Response = typeof(PunchUploadResult), Problems = [409, 422])]
    public Task<IResult> Upload(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/time/punches")] HttpRequest request,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<PunchUpload, PunchUploadResult>(body, request, input => clock.UploadAsync(FieldActors.Of(request), input, cancellationToken), StatusCodes.Status200OK, cancellationToken);

    [Function("ListPunches")]
    [ClientAccess(Permission.FieldWork)]
    [ApiOperation("A technician's punches from..to (local dates), by device time; a technician reads only their own.", Tag = "Time clock",
        Response = typeof(PunchList), Query = ["technicianId", "from", "to"], Problems = [404])]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/time/punches")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var (technician, from, to) = (QueryParameters.Id(request, "technicianId", errors), QueryParameters.Date(request, "from", errors), QueryParameters.Date(request, "to", errors));
        return errors.ToProblem() is { } invalid
            ? ApiResults.Problem(invalid, request.HttpContext)
            : ApiResults.From(await clock.ListAsync(FieldActors.Of(request), technician, from, to, cancellationToken), list => ApiResults.Json(list), request);
    }

    [Function("ComputeTimesheet")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Computes (or recomputes, while a draft) a technician's timesheet for a pay period from the punches, with the business's overtime thresholds; "
        + "409 once approved.", Tag = "Time clock", RequestBody = typeof(TimesheetRequest), Response = typeof(Timesheet), Problems = [403, 409, 422])]
    public Task<IResult> Compute(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/timesheets")] HttpRequest request,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<TimesheetRequest, Timesheet>(body, request, input => timesheets.ComputeAsync(FieldActors.Of(request), input, cancellationToken), StatusCodes.Status200OK, cancellationToken);

    [Function("ListTimesheets")]
    [ClientAccess(Permission.FieldWork)]
    [ApiOperation("Timesheets, newest first, by technicianId and status (draft, approved); a technician sees only their own.", Tag = "Time clock",
        Response = typeof(TimesheetPage), Query = ["technicianId", "status", "limit", "cursor"])]
    public Task<IResult> ListTimesheets(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/timesheets")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var technician = QueryParameters.Id(request, "technicianId", errors);
        return FieldActors.PageAsync(request, errors, page => timesheets.ListAsync(FieldActors.Of(request), technician, QueryParameters.Text(request, "status"), page.Limit, page.Cursor, cancellationToken));
    }

    [Function("GetTimesheet")]
    [ClientAccess(Permission.FieldWork)]
    [ApiOperation("One timesheet; a technician's own only (404 otherwise).", Tag = "Time clock", Response = typeof(Timesheet), Problems = [404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/timesheets/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await timesheets.GetAsync(FieldActors.Of(request), id, cancellationToken), sheet => ApiResults.Json(sheet), request);

    [Function("UpdateTimesheet")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Changes a draft timesheet's note; 409 once approved (locked).", Tag = "Time clock", RequestBody = typeof(TimesheetChange),
        Response = typeof(Timesheet), Problems = [403, 404, 409])]
    public Task<IResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "v1/timesheets/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<TimesheetChange, Timesheet>(body, request, input => timesheets.ChangeNoteAsync(FieldActors.Of(request), id, input, cancellationToken), StatusCodes.Status200OK, cancellationToken);

    [Function("ApproveTimesheet")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Approves a draft timesheet, which locks it; 409 when already approved.", Tag = "Time clock", Response = typeof(Timesheet), Problems = [403, 404, 409])]
    public async Task<IResult> Approve(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/timesheets/{id:guid}/approve")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await timesheets.ApproveAsync(FieldActors.Of(request), id, cancellationToken), sheet => ApiResults.Json(sheet), request);

    [Function("ExportTimesheet")]
    [ClientAccess(Permission.FieldWork)]
    [ApiOperation("The timesheet as CSV (text/csv): one row per day and a total; a technician exports only their own.", Tag = "Time clock", Problems = [404])]
    public async Task<IResult> Export(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/timesheets/{id:guid}/export")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await timesheets.ExportCsvAsync(FieldActors.Of(request), id, cancellationToken), csv => TypedResults.Text(csv, "text/csv; charset=utf-8"), request);
}
