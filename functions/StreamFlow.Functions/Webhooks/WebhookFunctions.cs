using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Webhooks;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;
using StreamFlow.Orchestrations.Webhooks;

namespace StreamFlow.Functions.Webhooks;

public sealed record RotateSecretBody(int? OverlapHours);

public sealed record RecoverBody(DateTimeOffset? Since);

public sealed record TestEventBody(string? EventType);

public sealed record Recovered(int Deliveries);

/// <summary>Webhook endpoints of a client business: admins manage them, read the delivery log and replay.</summary>
public sealed class WebhookFunctions(
    RequestBody body,
    ClientAuthenticator clients,
    WebhookEndpointService endpoints,
    WebhookSettingsService settings,
    WebhookLogService log,
    WebhookReplayService replay,
    FunctionCatalog catalog)
{
    [Function("ListWebhookEventTypes")]
    [ApiOperation("The event catalog: every type an endpoint can subscribe to, with a description and an example payload.", Tag = "Webhooks",
        Auth = ApiAuth.Client, Response = typeof(WebhookEventType[]))]
    public async Task<IResult> EventTypes(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/webhooks/event-types")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = await clients.AuthorizeAsync(request, Permission.Self, cancellationToken);
        return caller.Succeeded ? ApiResults.Json(WebhookEventCatalog.All) : ApiResults.Problem(caller.Problem, request.HttpContext);
    }

    [Function("CreateWebhookEndpoint")]
    [ApiOperation("Creates an endpoint; the signing secret (whsec_...) is in this response only.", Tag = "Webhooks", Auth = ApiAuth.Client,
        RequestBody = typeof(CreateWebhookEndpoint), Response = typeof(CreatedWebhookEndpoint), SuccessStatus = 201, Problems = [403])]
    public async Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/webhooks/endpoints")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = await clients.AuthorizeAsync(request, Permission.WebhooksManage, cancellationToken);
        if (!caller.Succeeded)
        {
            return ApiResults.Problem(caller.Problem, request.HttpContext);
        }

        var create = await body.ReadJsonAsync<CreateWebhookEndpoint>(request, cancellationToken);
        if (!create.Succeeded)
        {
            return ApiResults.Problem(create.Problem, request.HttpContext);
        }

        return ApiResults.From(await endpoints.CreateAsync(caller.Value.TenantId, create.Value, cancellationToken), created =>
        {
            request.HttpContext.Response.Headers.Location = $"/{catalog.RoutePrefix}/v1/webhooks/endpoints/{created.Id}";
            return ApiResults.Json(created, StatusCodes.Status201Created);
        }, request);
    }

    [Function("ListWebhookEndpoints")]
    [ApiOperation("The business's endpoints, newest first.", Tag = "Webhooks", Auth = ApiAuth.Client, Response = typeof(WebhookPage<WebhookEndpoint>), Problems = [403])]
    public Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/webhooks/endpoints")] HttpRequest request,
        CancellationToken cancellationToken) =>
        RunAsync(request, cancellationToken, async tenant =>
        {
            var page = Paging.Read(request);
            return page.Succeeded
                ? ApiResults.From(await endpoints.ListAsync(tenant, page.Value.Limit, page.Value.Cursor, cancellationToken), result => ApiResults.Json(result), request)
                : ApiResults.Problem(page.Problem, request.HttpContext);
        });

    [Function("GetWebhookEndpoint")]
    [ApiOperation("One endpoint (without its secret).", Tag = "Webhooks", Auth = ApiAuth.Client, Response = typeof(WebhookEndpoint), Problems = [403, 404])]
    public Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/webhooks/endpoints/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        RunAsync(request, cancellationToken, async tenant => ApiResults.From(await endpoints.GetAsync(tenant, id, cancellationToken), endpoint => ApiResults.Json(endpoint), request));

    [Function("UpdateWebhookEndpoint")]
    [ApiOperation("Changes an endpoint; enabled: true re-enables one that was disabled after failing.", Tag = "Webhooks", Auth = ApiAuth.Client,
        RequestBody = typeof(UpdateWebhookEndpoint), Response = typeof(WebhookEndpoint), Problems = [403, 404])]
    public Task<IResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "v1/webhooks/endpoints/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        RunAsync(request, cancellationToken, async tenant =>
        {
            var update = await body.ReadJsonAsync<UpdateWebhookEndpoint>(request, cancellationToken);
            return update.Succeeded
                ? ApiResults.From(await endpoints.UpdateAsync(tenant, id, update.Value, cancellationToken), endpoint => ApiResults.Json(endpoint), request)
                : ApiResults.Problem(update.Problem, request.HttpContext);
        });

    [Function("DeleteWebhookEndpoint")]
    [ApiOperation("Deletes an endpoint.", Tag = "Webhooks", Auth = ApiAuth.Client, SuccessStatus = 204, Problems = [403, 404])]
    public Task<IResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/webhooks/endpoints/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        RunAsync(request, cancellationToken, async tenant => ApiResults.From(await endpoints.DeleteAsync(tenant, id, cancellationToken), _ => TypedResults.NoContent(), request));

    [Function("RotateWebhookSecret")]
    [ApiOperation("Issues a new signing secret; the old one keeps signing too for the overlap (default 24 h, at most 7 days).", Tag = "Webhooks",
        Auth = ApiAuth.Client, RequestBody = typeof(RotateSecretBody), Response = typeof(RotatedWebhookSecret), Problems = [403, 404])]
    public Task<IResult> RotateSecret(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/webhooks/endpoints/{id:guid}/rotate-secret")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        RunAsync(request, cancellationToken, async tenant =>
        {
            var rotate = await body.ReadJsonAsync<RotateSecretBody>(request, cancellationToken);
            return rotate.Succeeded
                ? ApiResults.From(await endpoints.RotateSecretAsync(tenant, id, rotate.Value.OverlapHours is { } hours ? TimeSpan.FromHours(hours) : null, cancellationToken), secret => ApiResults.Json(secret), request)
                : ApiResults.Problem(rotate.Problem, request.HttpContext);
        });

    [Function("ListWebhookMessages")]
    [ApiOperation("Messages sent to an endpoint with their delivery state; filters status, eventType, since, until.", Tag = "Webhooks",
        Auth = ApiAuth.Client, Response = typeof(WebhookPage<WebhookEndpointMessage>), Problems = [403, 404])]
    public Task<IResult> Messages(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/webhooks/endpoints/{id:guid}/messages")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        RunAsync(request, cancellationToken, async tenant =>
        {
            var query = request.Query;
            WebhookDeliveryStatus? status = Enum.TryParse<WebhookDeliveryStatus>(query["status"], ignoreCase: true, out var parsed) ? parsed : null;
            var filter = new WebhookMessageFilter(status, Text(query["eventType"]), Date(query["since"]), Date(query["until"]));
            return ApiResults.From(await log.ListMessagesAsync(tenant, id, filter, Limit(query["limit"]), Text(query["cursor"]), cancellationToken), page => ApiResults.Json(page), request);
        });

    [Function("ListWebhookAttempts")]
    [ApiOperation("Every attempt to an endpoint: time, status, latency, the first 1 KB of the answer, error; filters messageId, succeeded, since, until.",
        Tag = "Webhooks", Auth = ApiAuth.Client, Response = typeof(WebhookPage<WebhookAttemptRecord>), Problems = [403, 404])]
    public Task<IResult> Attempts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/webhooks/endpoints/{id:guid}/attempts")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        RunAsync(request, cancellationToken, async tenant =>
        {
            var query = request.Query;
            bool? succeeded = bool.TryParse(query["succeeded"], out var flag) ? flag : null;
            var filter = new WebhookAttemptFilter(Text(query["messageId"]), succeeded, Date(query["since"]), Date(query["until"]));
            return ApiResults.From(await log.ListAttemptsAsync(tenant, id, filter, Limit(query["limit"]), Text(query["cursor"]), cancellationToken), page => ApiResults.Json(page), request);
        });

    [Function("ResendWebhookMessage")]
    [ApiOperation("Sends one message to the endpoint again.", Tag = "Webhooks", Auth = ApiAuth.Client, Response = typeof(WebhookDeliveryStart),
        SuccessStatus = 202, Problems = [403, 404])]
    public Task<IResult> Resend(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/webhooks/endpoints/{id:guid}/messages/{messageId}/resend")] HttpRequest request,
        Guid id,
        string messageId,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken) =>
        RunAsync(request, cancellationToken, async tenant => ApiResults.From(
            await replay.ResendAsync(tenant, id, messageId, new DurableWebhookDeliveryStarter(durable), cancellationToken),
            start => ApiResults.Json(start, StatusCodes.Status202Accepted), request));

    [Function("RecoverWebhookMessages")]
    [ApiOperation("Sends again every message whose delivery to the endpoint failed since a time.", Tag = "Webhooks", Auth = ApiAuth.Client,
        RequestBody = typeof(RecoverBody), Response = typeof(Recovered), SuccessStatus = 202, Problems = [403, 404])]
    public Task<IResult> Recover(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/webhooks/endpoints/{id:guid}/recover")] HttpRequest request,
        Guid id,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken) =>
        RunAsync(request, cancellationToken, async tenant =>
        {
            var recover = await body.ReadJsonAsync<RecoverBody>(request, cancellationToken);
            if (!recover.Succeeded)
            {
                return ApiResults.Problem(recover.Problem, request.HttpContext);
            }

            if (recover.Value.Since is not { } since)
            {
                return ApiResults.Problem(Problem.Validation("since", "is required."), request.HttpContext);
            }

            return ApiResults.From(await replay.RecoverFailedAsync(tenant, id, since, new DurableWebhookDeliveryStarter(durable), cancellationToken),
                count => ApiResults.Json(new Recovered(count), StatusCodes.Status202Accepted), request);
        });

    [Function("SendWebhookTestEvent")]
    [ApiOperation("Sends a test event (default webhook.test, or any catalog type's example) to the endpoint.", Tag = "Webhooks", Auth = ApiAuth.Client,
        RequestBody = typeof(TestEventBody), Response = typeof(WebhookTestEventSent), SuccessStatus = 202, Problems = [403, 404])]
    public Task<IResult> SendTest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/webhooks/endpoints/{id:guid}/test")] HttpRequest request,
        Guid id,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken) =>
        RunAsync(request, cancellationToken, async tenant =>
        {
            var test = await body.ReadJsonAsync<TestEventBody>(request, cancellationToken);
            return test.Succeeded
                ? ApiResults.From(await replay.SendTestEventAsync(tenant, id, test.Value.EventType, new DurableWebhookDeliveryStarter(durable), cancellationToken),
                    sent => ApiResults.Json(sent, StatusCodes.Status202Accepted), request)
                : ApiResults.Problem(test.Problem, request.HttpContext);
        });

    [Function("GetWebhookSettings")]
    [ApiOperation("The business's retry schedule and maximum attempts.", Tag = "Webhooks", Auth = ApiAuth.Client, Response = typeof(WebhookTenantSettings), Problems = [403])]
    public Task<IResult> Settings(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/webhooks/settings")] HttpRequest request,
        CancellationToken cancellationToken) =>
        RunAsync(request, cancellationToken, async tenant => ApiResults.Json(await settings.GetAsync(tenant, cancellationToken)));

    [Function("UpdateWebhookSettings")]
    [ApiOperation("Sets the retry schedule (seconds between attempts) and maximum attempts.", Tag = "Webhooks", Auth = ApiAuth.Client,
        RequestBody = typeof(UpdateWebhookSettings), Response = typeof(WebhookTenantSettings), Problems = [403])]
    public Task<IResult> UpdateSettings(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/webhooks/settings")] HttpRequest request,
        CancellationToken cancellationToken) =>
        RunAsync(request, cancellationToken, async tenant =>
        {
            var update = await body.ReadJsonAsync<UpdateWebhookSettings>(request, cancellationToken);
            return update.Succeeded
                ? ApiResults.From(await settings.UpdateAsync(tenant, update.Value, cancellationToken), result => ApiResults.Json(result), request)
                : ApiResults.Problem(update.Problem, request.HttpContext);
        });

    private async Task<IResult> RunAsync(HttpRequest request, CancellationToken cancellationToken, Func<Guid, Task<IResult>> handle)
    {
        var caller = await clients.AuthorizeAsync(request, Permission.WebhooksManage, cancellationToken);
        return caller.Succeeded ? await handle(caller.Value.TenantId) : ApiResults.Problem(caller.Problem, request.HttpContext);
    }

    private static string? Text(Microsoft.Extensions.Primitives.StringValues value) => value.ToString() is { Length: > 0 } text ? text : null;

    private static int? Limit(Microsoft.Extensions.Primitives.StringValues value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) ? limit : null;

    private static DateTimeOffset? Date(Microsoft.Extensions.Primitives.StringValues value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date : null;
}
