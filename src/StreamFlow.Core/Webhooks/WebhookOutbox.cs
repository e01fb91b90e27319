using System.Text.Json;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;

namespace StreamFlow.Core.Webhooks;

/// <summary>
/// Publishes webhook events through the transactional outbox: the event is a row written in the caller's own tenant
/// transaction, so it is committed exactly when the change that caused it is, and vanishes with it on rollback.
/// The dispatcher picks committed rows up and starts their deliveries.
/// </summary>
public sealed class WebhookOutbox(TimeProvider timeProvider)
{
    public const string NotificationChannel = "webhook_outbox";
    public const int MaxPayloadBytes = 256 * 1024;

    /// <summary>
    /// Adds an event inside <paramref name="scope"/>, which must be <paramref name="tenantId"/>'s transaction
    /// (<see cref="StreamFlowDatabase.InTenantAsync{T}"/>). <paramref name="data"/> becomes the envelope's <c>data</c>
    /// object, serialized in the API's JSON shape. Returns the event id (<c>msg_...</c>), which is also the
    /// <c>webhook-id</c> receivers deduplicate on.
    /// </summary>
    /// <exception cref="ArgumentException">The event type is not in <see cref="WebhookEventCatalog"/>, or data is not a JSON object.</exception>
    public Task<string> AddAsync(DbTransactionScope scope, Guid tenantId, string eventType, object data, CancellationToken cancellationToken) =>
        AddAsync(scope, tenantId, eventType, data, timeProvider.GetUtcNow(), cancellationToken);

    /// <inheritdoc cref="AddAsync(DbTransactionScope, Guid, string, object, CancellationToken)"/>
    public async Task<string> AddAsync(
        DbTransactionScope scope, Guid tenantId, string eventType, object data, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var row = NewRow(tenantId, eventType, data, occurredAt);
        cancellationToken.ThrowIfCancellationRequested();
        await InsertAsync(scope, row);
        return row.Id;
    }

    /// <summary>
    /// Many events of one tenant, in their order, as <see cref="AddAsync(DbTransactionScope, Guid, string, object, CancellationToken)"/>
    /// adds one, written with one statement (a batch of leads announces thousands).
    /// </summary>
    public async Task AddManyAsync(DbTransactionScope scope, Guid tenantId, IReadOnlyList<(string EventType, object Data)> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        var rows = events.Select(e => NewRow(tenantId, e.EventType, e.Data, now)).ToList();
        cancellationToken.ThrowIfCancellationRequested();
        await WebhookMessageStore.InsertManyAsync(scope, tenantId, rows);
    }

    /// <exception cref="ArgumentException">The event type is not in <see cref="WebhookEventCatalog"/>, or data is not a JSON object.</exception>
    private static OutboxRow NewRow(Guid tenantId, string eventType, object data, DateTimeOffset occurredAt)
    {
        if (WebhookEventCatalog.Find(eventType) is null)
        {
            throw new ArgumentException($"'{eventType}' is not in the webhook event catalog.", nameof(eventType));
        }

        return new OutboxRow(NewMessageId(), tenantId, eventType, occurredAt.ToUniversalTime(), SerializeData(data), null, null);
    }

    internal static string NewMessageId() => "msg_" + Guid.CreateVersion7().ToString("N");

    internal static string SerializeData(object data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var element = data as JsonElement? ?? JsonSerializer.SerializeToElement(data, data.GetType(), StreamFlowJson.Options);
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("Webhook event data must serialize to a JSON object.", nameof(data));
        }

        var json = element.GetRawText();
        if (System.Text.Encoding.UTF8.GetByteCount(json) > MaxPayloadBytes)
        {
            throw new ArgumentException($"Webhook event data must be at most {MaxPayloadBytes} bytes.", nameof(data));
        }

        return json;
    }

    /// <summary>In a batched scope (<see cref="StreamFlowDatabase.InTenantBatchedAsync{T}"/>) the row is sent with the next round trip.</summary>
    internal static Task InsertAsync(DbTransactionScope scope, OutboxRow row) => WebhookMessageStore.InsertAsync(scope, row);

    internal sealed record OutboxRow(
        string Id, Guid TenantId, string EventType, DateTimeOffset OccurredAt, string Payload, Guid? TargetEndpointId, DateTimeOffset? DispatchedAt);
}
