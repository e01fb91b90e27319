using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Settings;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Settings;

/// <summary>The business's custom fields of a lead: typed definitions, checked on every write and import row, published as JSON Schema.</summary>
public sealed class CustomFieldFunctions(RequestBody body, CustomFieldService fields)
{
    [Function("ListCustomFields")]
    [ClientAccess(Permission.LeadsRead)]
    [ApiOperation("The custom fields of a lead by key: type, whether required, options of a choice.", Tag = "Settings", Response = typeof(CustomFieldList))]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/custom-fields")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await fields.ListAsync(request.Client().TenantId, cancellationToken));

    [Function("GetCustomFieldSchema")]
    [ClientAccess(Permission.LeadsRead)]
    [ApiOperation("The JSON Schema (2020-12) of a lead's attributes in this business: one property per custom field, the required ones listed; other attributes stay free.",
        Tag = "Settings")]
    public async Task<IResult> Schema(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/custom-fields/schema")] HttpRequest request,
        CancellationToken cancellationToken) =>
        TypedResults.Text((await fields.SchemaAsync(request.Client().TenantId, cancellationToken)).ToJsonString(), "application/schema+json");

    [Function("CreateCustomField")]
    [ClientAccess(Permission.SettingsManage)]
    [ApiOperation("Defines a custom field of a lead: key (the attribute's name), label, type (text, number, money, date, choice, multiChoice, boolean), required, options. "
        + "From then on every lead write and import row is checked: a value of the wrong type is a 400 naming attributes.<key>.",
        Tag = "Settings", RequestBody = typeof(CustomFieldInput), Response = typeof(CustomField), SuccessStatus = 201, Problems = [403, 409])]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/custom-fields")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var input = await body.ReadJsonAsync<CustomFieldInput>(request, cancellationToken);
        var caller = request.Client();
        var created = input.Succeeded ? await fields.CreateAsync(caller.TenantId, caller.Actor, input.Value, cancellationToken) : input.Problem;
        return ApiResults.From(created, field => ApiResults.Json(field, StatusCodes.Status201Created), request);
    }

    [Function("DeleteCustomField")]
    [ClientAccess(Permission.SettingsManage)]
    [ApiOperation("Removes a custom field; the values leads hold stay, as free attributes.", Tag = "Settings", Response = typeof(CustomField), Problems = [403, 404])]
    public async Task<IResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/custom-fields/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await fields.DeleteAsync(request.Client().TenantId, id, cancellationToken), field => ApiResults.Json(field), request);
}
