using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Outbox;

namespace StreamFlow.Core.Webhooks;

/// <summary>A test event on its way: the event id and its delivery.</summary>
public sealed record WebhookTestEventSent(string MessageId, Guid DeliveryId);

/// <summary>
/// Sends messages again: one message to one endpoint, every failed message of an endpoint since a time, or a test
/// event. Each starts a new round of the delivery with a fresh retry schedule; an orchestration still running an
/// older round stops at its next step. No request waits on the durable backend (issue #19): the new round and a
/// <see cref="WorkKinds.WebhookDelivery"/> row of the work outbox commit together in the tenant's transaction, and the
/// outbox dispatcher starts the round's delivery orchestration (<see cref="PendingStartsAsync"/>), whose instance id is
/// the delivery's and round's, so a start repeated after a lost claim finds it running.
/// </summary>
public sealed class WebhookReplayService(StreamFlowDatabase database, TimeProvider timeProvider, WorkOutbox work)
{
    /// <summary>Sends one message (of any type, whatever the endpoint's filter) to one enabled endpoint again.</summary>
    public async Task<Result<WebhookDeliveryStart>> ResendAsync(Guid tenantId, Guid endpointId, string messageId, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        return await database.InTenantAsync<Result<WebhookDeliveryStart>>(tenantId, async scope =>
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
            await work.AddAsync(scope, tenantId, WorkKinds.WebhookDelivery, deliveryId);
            return new WebhookDeliveryStart(tenantId, deliveryId, round);
        }, cancellationToken);
    }

    /// <summary>Sends again every message whose delivery to the endpoint failed at or after <paramref name="since"/>; returns how many.</summary>
    public async Task<Result<int>> RecoverFailedAsync(Guid tenantId, Guid endpointId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        if (since > now)
        {
            return Problem.Validation("since", "must not be in the future.");
        }

        return await database.InTenantAsync<Result<int>>(tenantId, async scope =>
        {
            if (await CheckEndpointAsync(scope, endpointId) is { } problem)
            {
                return problem;
            }

            var rows = (await WebhookDeliveryStore.RecoverFailedAsync(scope, endpointId, since.ToUniversalTime(), now)).ToList();
            await work.AddManyAsync(scope, tenantId, WorkKinds.WebhookDelivery, rows.Select(r => r.DeliveryId).ToList());
            return rows.Count;
        }, cancellationToken);
    }

    /// <summary>
    /// Sends a test event to one endpoint: <paramref name="eventType"/>'s example data (default <c>webhook.test</c>),
    /// as a real message with its own id, signature, retries and log entries.
    /// </summary>
    public async Task<Result<WebhookTestEventSent>> SendTestEventAsync(Guid tenantId, Guid endpointId, string? eventType, CancellationToken cancellationToken)
    {
        var type = WebhookEventCatalog.Find(string.IsNullOrWhiteSpace(eventType) ? WebhookEventCatalog.Test : eventType.Trim());
        if (type is null)
        {
            return Problem.Validation("eventType", "is not an event type of the catalog.");
        }

        var now = timeProvider.GetUtcNow();
        var messageId = WebhookOutbox.NewMessageId();
        var deliveryId = Guid.CreateVersion7();
        return await database.InTenantAsync<Result<WebhookTestEventSent>>(tenantId, async scope =>
        {
            if (await CheckEndpointAsync(scope, endpointId) is { } problem)
            {
                return problem;
            }

            await WebhookOutbox.InsertAsync(scope, new WebhookOutbox.OutboxRow(
                messageId, tenantId, type.Name, now, type.ExampleDataJson, endpointId, DispatchedAt: now));
            await WebhookDeliveryStore.InsertAsync(scope, deliveryId, tenantId, messageId, endpointId, now);
            await work.AddAsync(scope, tenantId, WorkKinds.WebhookDelivery, deliveryId);
            return new WebhookTestEventSent(messageId, deliveryId);
        }, cancellationToken);
    }

    /// <summary>
    /// For the outbox dispatcher: the round to start of each of <paramref name="deliveryIds"/> (the tenant's
    /// <see cref="WorkKinds.WebhookDelivery"/> rows) that is still pending. A delivery that finished meanwhile (or is
    /// gone) is left out: nothing is sent twice.
    /// </summary>
    public async Task<IReadOnlyList<WebhookDeliveryStart>> PendingStartsAsync(Guid tenantId, IReadOnlyCollection<Guid> deliveryIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveryIds);
        if (deliveryIds.Count == 0)
        {
            return [];
        }

        var ids = deliveryIds.Distinct().ToArray();
        return await database.InTenantAsync(tenantId, async scope =>
            (await WebhookDeliveryStore.PendingRoundsAsync(scope, ids)).Select(r => new WebhookDeliveryStart(tenantId, r.DeliveryId, r.Round)).ToList(), cancellationToken);
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
