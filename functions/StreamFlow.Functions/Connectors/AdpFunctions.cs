using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Connectors.Adp;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Connectors;

/// <summary>ADP Workforce Now decisions people make (docs/connectors.md): a worker's earning codes, a pay-data conflict settled.</summary>
public sealed class AdpFunctions(RequestBody body, AdpPayroll payroll)
{
    [Function("SetAdpWorkerEarningCodes")]
    [ClientAccess(Permission.ConnectionsManage)]
    [ApiOperation("Sets the earning codes one worker's hours go to ADP under (regularEarningCode, overtimeEarningCode); null returns a code to the connection's default.",
        Tag = "Connections", RequestBody = typeof(AdpEarningCodesInput), Response = typeof(AdpWorkerEarningCodes), Problems = [400, 403, 404])]
    public async Task<IResult> SetEarningCodes(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/connections/{id:guid}/adp/workers/{associateOid}/earning-codes")] HttpRequest request,
        Guid id,
        string associateOid,
        CancellationToken cancellationToken)
    {
        var input = await body.ReadJsonAsync<AdpEarningCodesInput>(request, cancellationToken);
        var set = input.Succeeded ? await payroll.SetEarningCodesAsync(request.Client().TenantId, id, associateOid, input.Value, cancellationToken) : input.Problem;
        return ApiResults.From(set, codes => ApiResults.Json(codes), request);
    }

    [Function("ResolveAdpPayDataConflict")]
    [ClientAccess(Permission.ConnectionsManage)]
    [ApiOperation("Settles a timesheet whose pay data ADP never answered (a conflict in the sync log): paid_elsewhere (ADP has the hours; optional confirmation) keeps it from ever being sent; resend lets the next sync send it. 409 when it is not such a conflict or is still being sent.",
        Tag = "Connections", RequestBody = typeof(AdpPayDataResolution), Response = typeof(AdpPayDataState), Problems = [400, 403, 404, 409])]
    public async Task<IResult> Resolve(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/connections/{id:guid}/adp/timesheets/{timesheetId}/resolution")] HttpRequest request,
        Guid id,
        string timesheetId,
        CancellationToken cancellationToken)
    {
        var input = await body.ReadJsonAsync<AdpPayDataResolution>(request, cancellationToken);
        var resolved = !Guid.TryParse(timesheetId, out var timesheet) ? Problem.NotFound("The timesheet's pay data")
            : input.Succeeded ? await payroll.ResolveAsync(request.Client().TenantId, id, timesheet, input.Value, cancellationToken)
            : input.Problem;
        return ApiResults.From(resolved, state => ApiResults.Json(state), request);
    }
}
