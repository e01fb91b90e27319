using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.FieldOps;
using StreamFlow.Core.FieldOps.Dispatch;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.FieldOps;

/// <summary>The dispatch board: the planner's suggestion for a day, applying it, and the field settings it plans with.</summary>
public sealed class DispatchFunctions(RequestBody body, DispatchService dispatch, FieldOpsSettingsService settings)
{
    [Function("SuggestDispatch")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Plans the day's scheduled visits over the active technicians (skills and valid certifications hard; windows, working hours, travel and load "
        + "optimised), starting from the assignments already made, and explains each placement. Writes nothing; basis fingerprints what was planned.",
        Tag = "Field operations", RequestBody = typeof(DispatchRequest), Response = typeof(DispatchSuggestion))]
    public Task<IResult> Suggest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/dispatch/suggest")] HttpRequest request,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<DispatchRequest, DispatchSuggestion>(body, request, input => dispatch.SuggestAsync(FieldActors.Of(request), input, cancellationToken), StatusCodes.Status200OK, cancellationToken);

    [Function("ApplyDispatch")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Applies the suggestion for a day in one transaction, given its date and basis; 409 with currentBasis when a visit or technician changed since.",
        Tag = "Field operations", RequestBody = typeof(DispatchRequest), Response = typeof(DispatchSuggestion), Problems = [403, 409])]
    public Task<IResult> Apply(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/dispatch/apply")] HttpRequest request,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<DispatchRequest, DispatchSuggestion>(body, request, input => dispatch.ApplyAsync(FieldActors.Of(request), input, cancellationToken), StatusCodes.Status200OK, cancellationToken);

    [Function("GetFieldOpsSettings")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("The business's field settings: overtime thresholds, default geofence radius, the planner's average speed.", Tag = "Field operations",
        Response = typeof(FieldOpsSettings))]
    public async Task<IResult> Settings(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/fieldops/settings")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await settings.GetAsync(FieldActors.Of(request), cancellationToken));

    [Function("ReplaceFieldOpsSettings")]
    [ClientAccess(Permission.FieldOpsManage)]
    [ApiOperation("Replaces the field settings; a null overtime threshold means no such rule.", Tag = "Field operations",
        RequestBody = typeof(FieldOpsSettingsInput), Response = typeof(FieldOpsSettings), Problems = [403])]
    public Task<IResult> ReplaceSettings(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/fieldops/settings")] HttpRequest request,
        CancellationToken cancellationToken) =>
        FieldActors.WithBodyAsync<FieldOpsSettingsInput, FieldOpsSettings>(body, request, input => settings.ReplaceAsync(FieldActors.Of(request), input, cancellationToken), StatusCodes.Status200OK, cancellationToken);
}
