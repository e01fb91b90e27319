using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Webhooks;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Webhooks;

public sealed record RotateSecretBody(int? OverlapHours);

public sealed record RecoverBody(DateTimeOffset? Since) : IValidatableRequest
{
    public void Validate(ValidationErrors errors)
    {
        if (Since is null)
        {
            errors.Add("since", "is required.");
        }
    }
}

public sealed record TestEventBody(string? EventType);

public sealed record Recovered(int Deliveries);

/// <summary>Webhook endpoints of a client business: admins manage them, read the delivery log and replay.</summary>
public sealed class WebhookFunctions(
    RequestBody body,
    WebhookEndpointService endpoints,
    WebhookSettingsService settings,
    WebhookLogService log,
    WebhookReplayService replay,
    FunctionCatalog catalog)
{
    [Function("ListWebhookEventTypes")]
    [ClientAccess(Permission.Self)]
    [ApiOperation("The event catalog: every type an endpoint can subscribe to, with a description and an example payload.", Tag = "Webhooks",
        Response = typeof(WebhookEventType[]))]
    public async Task<IResult> EventTypes(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/webhooks/event-types")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(WebhookEventCatalog.All);

    [Function("CreateWebhookEndpoint")]
    [ClientAccess(Permission.WebhooksManage)]
    [ApiOperation("Creates an endpoint; the signing secret (whsec_...) is in this response only.", Tag = "Webhooks",
        RequestBody = typeof(CreateWebhookEndpoint), Response = typeof(CreatedWebhookEndpoint), SuccessStatus = 201, Problems = [403])]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/webhooks/endpoints")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var create = await body.ReadJsonAsync<CreateWebhookEndpoint>(request, cancellationToken);
        var created = create.Succeeded ? await endpoints.CreateAsync(request.Client().TenantId, create.Value, cancellationToken) : create.Problem;
        return ApiResults.From(created, endpoint =>
        {
            request.HttpContext.Response.Headers.Location = $"/{catalog.RoutePrefix}/v1/webhooks/endpoints/{endpoint.Id}";
            return ApiResults.Json(endpoint, StatusCodes.Status201Created);
        }, request);
    }

    [Function("ListWebhookEndpoints")]
    [ClientAccess(Permission.WebhooksManage)]
    [ApiOperation("The business's endpoints, newest first.", Tag = "Webhooks", Response = typeof(WebhookPage<WebhookEndpoint>), Problems = [403])]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/webhooks/endpoints")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var tenant = request.Client().TenantId;
        var page = Paging.Read(request);
        return page.Succeeded
            ? ApiResults.From(await endpoints.ListAsync(tenant, page.Value.Limit, page.Value.Cursor, cancellationToken), result => ApiResults.Json(result), request)
            : ApiResults.Problem(page.Problem, request.HttpContext);
    }

    [Function("GetWebhookEndpoint")]
    [ClientAccess(Permission.WebhooksManage)]
    [ApiOperation("One endpoint (without its secret).", Tag = "Webhooks", Response = typeof(WebhookEndpoint), Problems = [403, 404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/webhooks/endpoints/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await endpoints.GetAsync(request.Client().TenantId, id, cancellationToken), endpoint => ApiResults.Json(endpoint), request);

    [Function("UpdateWebhookEndpoint")]
    [ClientAccess(Permission.WebhooksManage)]
    [ApiOperation("Changes an endpoint; enabled: true re-enables one that was disabled after failing.", Tag = "Webhooks",
        RequestBody = typeof(UpdateWebhookEndpoint), Response = typeof(WebhookEndpoint), Problems = [403, 404])]
    public async Task<IResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "v1/webhooks/endpoints/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var tenant = request.Client().TenantId;
        var update = await body.ReadJsonAsync<UpdateWebhookEndpoint>(request, cancellationToken);
        return update.Succeeded
            ? ApiResults.From(await endpoints.UpdateAsync(tenant, id, update.Value, cancellationToken), endpoint => ApiResults.Json(endpoint), request)
            : ApiResults.Problem(update.Problem, request.HttpContext);
    }

    [Function("DeleteWebhookEndpoint")]
    [ClientAccess(Permission.WebhooksManage)]
    [ApiOperation("Deletes an endpoint.", Tag = "Webhooks", SuccessStatus = 204, Problems = [403, 404])]
    public async Task<IResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/webhooks/endpoints/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await endpoints.DeleteAsync(request.Client().TenantId, id, cancellationToken), _ => TypedResults.NoContent(), request);

    [Function("RotateWebhookSecret")]
    [ClientAccess(Permission.WebhooksManage)]
    [ApiOperation("Issues a new signing secret; the old one keeps signing too for the overlap (default 24 h, at most 7 days).", Tag = "Webhooks",
        RequestBody = typeof(RotateSecretBody), Response = typeof(RotatedWebhookSecret), Problems = [403, 404])]
    public async Task<IResult> RotateSecret(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/webhooks/endpoints/{id:guid}/rotate-secret")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var tenant = request.Client().TenantId;
        var rotate = await body.ReadJsonAsync<RotateSecretBody>(request, cancellationToken);
        return rotate.Succeeded
            ? ApiResults.From(await endpoints.RotateSecretAsync(tenant, id, rotate.Value.OverlapHours is { } hours ? TimeSpan.FromHours(hours) : null, cancellationToken), secret => ApiResults.Json(secret), request)
            : ApiResults.Problem(rotate.Problem, request.HttpContext);
    }

    [Function("ListWebhookMessages")]
    [ClientAccess(Permission.WebhooksManage)]
    [ApiOperation("Messages sent to an endpoint with their delivery state; filters status, eventType, since, until.", Tag = "Webhooks",
        Response = typeof(WebhookPage<WebhookEndpointMessage>), Problems = [403, 404])]
    public async Task<IResult> Messages(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/webhooks/endpoints/{id:guid}/messages")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var tenant = request.Client().TenantId;
        var query = request.Query;
        WebhookDeliveryStatus? status = Enum.TryParse<WebhookDeliveryStatus>(query["status"], ignoreCase: true, out var parsed) ? parsed : null;
        var filter = new WebhookMessageFilter(status, Text(query["eventType"]), Date(query["since"]), Date(query["until"]));
        return ApiResults.From(await log.ListMessagesAsync(tenant, id, filter, Limit(query["limit"]), Text(query["cursor"]), cancellationToken), page => ApiResults.Json(page), request);
    }

    [Function("ListWebhookAttempts")]
    [ClientAccess(Permission.WebhooksManage)]
    [ApiOperation("Every attempt to an endpoint: time, status, latency, the first 1 KB of the answer, error; filters messageId, succeeded, since, until.",
        Tag = "Webhooks", Response = typeof(WebhookPage<WebhookAttemptRecord>), Problems = [403, 404])]
    public async Task<IResult> Attempts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/webhooks/endpoints/{id:guid}/attempts")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var tenant = request.Client().TenantId;
        var query = request.Query;
        bool? succeeded = bool.TryParse(query["succeeded"], out var flag) ? flag : null;
        var filter = new WebhookAttemptFilter(Text(query["messageId"]), succeeded, Date(query["since"]), Date(query["until"]));
        return ApiResults.From(await log.ListAttemptsAsync(tenant, id, filter, Limit(query["limit"]), Text(query["cursor"]), cancellationToken), page => ApiResults.Json(page), request);
    }

    [Function("ResendWebhookMessage")]
    [ClientAccess(Permission.WebhooksManage)]
    [ApiOperation("Sends one message to the endpoint again.", Tag = "Webhooks", Response = typeof(WebhookDeliveryStart),
        SuccessStatus = 202, Problems = [403, 404])]
    public async Task<IResult> Resend(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/webhooks/endpoints/{id:guid}/messages/{messageId}/resend")] HttpRequest request,
        Guid id,
        string messageId,
        CancellationToken cancellationToken) =>
        ApiResults.From(
            await replay.ResendAsync(request.Client().TenantId, id, messageId, cancellationToken),
            start => ApiResults.Json(start, StatusCodes.Status202Accepted), request);

    [Function("RecoverWebhookMessages")]
    [ClientAccess(Permission.WebhooksManage)]
    [ApiOperation("Sends again every message whose delivery to the endpoint failed since a time.", Tag = "Webhooks",
        RequestBody = typeof(RecoverBody), Response = typeof(Recovered), SuccessStatus = 202, Problems = [403, 404])]
    public async Task<IResult> Recover(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/webhooks/endpoints/{id:guid}/recover")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var tenant = request.Client().TenantId;
        var recover = await body.ReadJsonAsync<RecoverBody>(request, cancellationToken);
        return recover.Succeeded
            ? ApiResults.From(await replay.RecoverFailedAsync(tenant, id, recover.Value.Since!.Value, cancellationToken),
                count => ApiResults.Json(new Recovered(count), StatusCodes.Status202Accepted), request)
            : ApiResults.Problem(recover.Problem, request.HttpContext);
    }

    [Function("SendWebhookTestEvent")]
    [ClientAccess(Permission.WebhooksManage)]
    [ApiOperation("Sends a test event (default webhook.test, or any catalog type's example) to the endpoint.", Tag = "Webhooks",
        RequestBody = typeof(TestEventBody), Response = typeof(WebhookTestEventSent), SuccessStatus = 202, Problems = [403, 404])]
    public async Task<IResult> SendTest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/webhooks/endpoints/{id:guid}/test")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var tenant = request.Client().TenantId;
        var test = await body.ReadJsonAsync<TestEventBody>(request, cancellationToken);
        return test.Succeeded
            ? ApiResults.From(await replay.SendTestEventAsync(tenant, id, test.Value.EventType, cancellationToken),
                sent => ApiResults.Json(sent, StatusCodes.Status202Accepted), request)
            : ApiResults.Problem(test.Problem, request.HttpContext);
    }

    [Function("GetWebhookSettings")]
    [ClientAccess(Permission.WebhooksManage)]
    [ApiOperation("The business's retry schedule and maximum attempts.", Tag = "Webhooks", Response = typeof(WebhookTenantSettings), Problems = [403])]
    public async Task<IResult> Settings(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/webhooks/settings")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await settings.GetAsync(request.Client().TenantId, cancellationToken));

    [Function("UpdateWebhookSettings")]
    [ClientAccess(Permission.WebhooksManage)]
    [ApiOperation("Sets the retry schedule (seconds between attempts) and maximum attempts.", Tag = "Webhooks",
        RequestBody = typeof(UpdateWebhookSettings), Response = typeof(WebhookTenantSettings), Problems = [403])]
    public async Task<IResult> UpdateSettings(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/webhooks/settings")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var tenant = request.Client().TenantId;
        var update = await body.ReadJsonAsync<UpdateWebhookSettings>(request, cancellationToken);
        return update.Succeeded
            ? ApiResults.From(await settings.UpdateAsync(tenant, update.Value, cancellationToken), result => ApiResults.Json(result), request)
            : ApiResults.Problem(update.Problem, request.HttpContext);
    }


    private static string? Text(Microsoft.Extensions.Primitives.StringValues value) => value.ToString() is { Length: > 0 } text ? text : null;

    private static int? Limit(Microsoft.Extensions.Primitives.StringValues value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) ? limit : null;

    private static DateTimeOffset? Date(Microsoft.Extensions.Primitives.StringValues value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date : null;
}
