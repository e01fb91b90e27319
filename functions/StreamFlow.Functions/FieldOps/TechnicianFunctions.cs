using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.FieldOps;
using StreamFlow.Core.FieldOps.Technicians;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.FieldOps;

/// <summary>The business's technicians, for the dispatch board.</summary>
public sealed class TechnicianFunctions(RequestBody body, TechnicianService technicians)
{
    [Function("CreateTechnician")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Adds a technician: skills, certifications with expiry, home base, working hours (HH:mm local), hourly cost, and the user who signs in as them.",
        Tag = "Field operations", RequestBody = typeof(TechnicianInput), Response = typeof(Technician), SuccessStatus = 201, Problems = [403, 409, 422])]
    public Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/technicians")] HttpRequest request,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<TechnicianInput, Technician>(body, request, input => technicians.CreateAsync(FieldActors.Of(request), input, cancellationToken), StatusCodes.Status201Created, cancellationToken);

    [Function("ListTechnicians")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Technicians, newest first; includeInactive=true adds retired ones.", Tag = "Field operations", Response = typeof(TechnicianPage),
        Query = ["includeInactive", "limit", "cursor"])]
    public Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/technicians")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var includeInactive = QueryParameters.Flag(request, "includeInactive", errors);
        return FieldActors.PageAsync(request, errors, page => technicians.ListAsync(FieldActors.Of(request), includeInactive, page.Limit, page.Cursor, cancellationToken));
    }

    [Function("GetTechnician")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("One technician.", Tag = "Field operations", Response = typeof(Technician), Problems = [404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/technicians/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await technicians.GetAsync(FieldActors.Of(request), id, cancellationToken), t => ApiResults.Json(t), request);

    [Function("UpdateTechnician")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Changes the fields sent (absent ones keep their value).", Tag = "Field operations", RequestBody = typeof(TechnicianInput),
        Response = typeof(Technician), Problems = [403, 404, 409, 422])]
    public Task<IResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "v1/technicians/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<TechnicianInput, Technician>(body, request, input => technicians.UpdateAsync(FieldActors.Of(request), id, input, cancellationToken), StatusCodes.Status200OK, cancellationToken);

    [Function("DeactivateTechnician")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Retires a technician: kept with their history, no longer planned or assignable.", Tag = "Field operations", Response = typeof(Technician),
        Problems = [403, 404])]
    public async Task<IResult> Deactivate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/technicians/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await technicians.DeactivateAsync(FieldActors.Of(request), id, cancellationToken), t => ApiResults.Json(t), request);
}
