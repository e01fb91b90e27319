using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Settings;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Settings;

/// <summary>The business's own settings: time zone, currency, locale, business hours, holidays, report preferences.</summary>
public sealed class TenantSettingsFunctions(RequestBody body, TenantSettingsService settings)
{
    [Function("GetTenantSettings")]
    [ClientAccess(Permission.SettingsManage)]
    [ApiOperation("The business's settings, defaults where none were chosen (docs/tenant-settings.md).", Tag = "Settings", Response = typeof(TenantSettings))]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/settings")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await settings.GetAsync(request.Client().TenantId, cancellationToken));

    [Function("UpdateTenantSettings")]
    [ClientAccess(Permission.SettingsManage)]
    [ApiOperation("Changes the settings: each member given replaces the stored one (businessHours the whole week, a null day closed; holidays the whole list). "
        + "Time zones are IANA, currencies ISO 4217. Audited as settings.changed.", Tag = "Settings",
        RequestBody = typeof(TenantSettingsChange), Response = typeof(TenantSettings), Problems = [403])]
    public async Task<IResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "v1/settings")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var change = await body.ReadJsonAsync<TenantSettingsChange>(request, cancellationToken);
        var caller = request.Client();
        var updated = change.Succeeded
            ? await settings.UpdateAsync(caller.TenantId, caller.Actor, RequestOrigins.Of(request), change.Value, cancellationToken)
            : change.Problem;
        return ApiResults.From(updated, result => ApiResults.Json(result), request);
    }
}
