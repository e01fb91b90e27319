using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Webhooks;

/// <summary>A test event on its way: the event id and its delivery.</summary>
public sealed record WebhookTestEventSent(string MessageId, Guid DeliveryId);

/// <summary>
/// Sends messages again: one message to one endpoint, every failed message of an endpoint since a time, or a test
/// event. Each starts a new round of the delivery with a fresh retry schedule; an orchestration still running an
/// older round stops at its next step.
/// </summary>
public sealed class WebhookReplayService(StreamFlowDatabase database, TimeProvider timeProvider)
{
    private const int StartChunk = 500;

    /// <summary>Sends one message (of any type, whatever the endpoint's filter) to one enabled endpoint again.</summary>
    public async Task<Result<WebhookDeliveryStart>> ResendAsync(
        Guid tenantId, Guid endpointId, string messageId, IWebhookDeliveryStarter starter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(starter);
        var now = timeProvider.GetUtcNow();
        var result = await database.InTenantAsync<Result<WebhookDeliveryStart>>(tenantId, async scope =>
        {
            if (await CheckEndpointAsync(scope, endpointId) is { } problem)
            {
                return problem;
            }

            if (string.IsNullOrEmpty(messageId) || !await WebhookMessageStore.ExistsAsync(scope, messageId))
            {
                return Problem.NotFound("The webhook message");
            }

            var (deliveryId, round) = await WebhookDeliveryStore.ResendAsync(scope, Guid.CreateVersion7(), tenantId, messageId, endpointId, now);
            return new WebhookDeliveryStart(tenantId, deliveryId, round);
        }, cancellationToken);

        if (result.Succeeded)
        {
            await starter.StartAsync([result.Value], cancellationToken);
        }

        return result;
    }

    /// <summary>Sends again every message whose delivery to the endpoint failed at or after <paramref name="since"/>; returns how many.</summary>
    public async Task<Result<int>> RecoverFailedAsync(
        Guid tenantId, Guid endpointId, DateTimeOffset since, IWebhookDeliveryStarter starter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(starter);
        var now = timeProvider.GetUtcNow();
        if (since > now)
        {
            return Problem.Validation("since", "must not be in the future.");
        }

        var result = await database.InTenantAsync<Result<List<WebhookDeliveryStart>>>(tenantId, async scope =>
        {
            if (await CheckEndpointAsync(scope, endpointId) is { } problem)
            {
                return problem;
            }

            var rows = await WebhookDeliveryStore.RecoverFailedAsync(scope, endpointId, since.ToUniversalTime(), now);
            return rows.Select(r => new WebhookDeliveryStart(tenantId, r.DeliveryId, r.Round)).ToList();
        }, cancellationToken);

        if (!result.Succeeded)
        {
            return result.Problem;
        }

        // A crash part-way leaves the rest pending and due: the stalled-delivery sweep starts them.
        foreach (var chunk in result.Value.Chunk(StartChunk))
        {
            await starter.StartAsync(chunk, cancellationToken);
        }

        return result.Value.Count;
    }

    /// <summary>
    /// Sends a test event to one endpoint: <paramref name="eventType"/>'s example data (default <c>webhook.test</c>),
    /// as a real message with its own id, signature, retries and log entries.
    /// </summary>
    public async Task<Result<WebhookTestEventSent>> SendTestEventAsync(
        Guid tenantId, Guid endpointId, string? eventType, IWebhookDeliveryStarter starter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(starter);
        var type = WebhookEventCatalog.Find(string.IsNullOrWhiteSpace(eventType) ? WebhookEventCatalog.Test : eventType.Trim());
        if (type is null)
        {
            return Problem.Validation("eventType", "is not an event type of the catalog.");
        }

        var now = timeProvider.GetUtcNow();
        var messageId = WebhookOutbox.NewMessageId();
        var deliveryId = Guid.CreateVersion7();
        var result = await database.InTenantAsync<Result<WebhookTestEventSent>>(tenantId, async scope =>
        {
            if (await CheckEndpointAsync(scope, endpointId) is { } problem)
            {
                return problem;
            }

            await WebhookOutbox.InsertAsync(scope, new WebhookOutbox.OutboxRow(
                messageId, tenantId, type.Name, now, type.ExampleDataJson, endpointId, DispatchedAt: now));
            await WebhookDeliveryStore.InsertAsync(scope, deliveryId, tenantId, messageId, endpointId, now);
            return new WebhookTestEventSent(messageId, deliveryId);
        }, cancellationToken);

        if (result.Succeeded)
        {
            await starter.StartAsync([new WebhookDeliveryStart(tenantId, deliveryId, 1)], cancellationToken);
        }

        return result;
    }

    private static async Task<Problem?> CheckEndpointAsync(DbTransactionScope scope, Guid endpointId)
    {
        var enabled = await WebhookEndpointStore.IsEnabledAsync(scope, endpointId);
        return enabled switch
        {
            null => Problem.NotFound("The webhook endpoint"),
            false => Problem.Conflict("The webhook endpoint is disabled; enable it first."),
            _ => null,
        };
    }
}
