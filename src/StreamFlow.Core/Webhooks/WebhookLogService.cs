using System.Text.Json;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Webhooks;

public enum WebhookDeliveryStatus
{
    Pending,
    Succeeded,
    Failed,
}

/// <summary>Filters of an endpoint's message list; all optional. Times filter on when the event occurred.</summary>
public sealed record WebhookMessageFilter(WebhookDeliveryStatus? Status = null, string? EventType = null, DateTimeOffset? Since = null, DateTimeOffset? Until = null);

/// <summary>A message as one endpoint sees it: the event and where its delivery there stands.</summary>
public sealed record WebhookEndpointMessage(
    string Id,
    string EventType,
    DateTimeOffset OccurredAt,
    Guid DeliveryId,
    WebhookDeliveryStatus Status,
    int Attempts,
    DateTimeOffset? LastAttemptAt,
    int? LastStatusCode,
    string? LastError,
    DateTimeOffset? NextAttemptAt);

/// <summary>Filters of an endpoint's attempt log; all optional.</summary>
public sealed record WebhookAttemptFilter(string? MessageId = null, bool? Succeeded = null, DateTimeOffset? Since = null, DateTimeOffset? Until = null);

/// <summary>One attempt as logged: when, what came back (the first 1 KB of the body), how long it took, what went wrong.</summary>
public sealed record WebhookAttemptRecord(
    Guid Id,
    string MessageId,
    Guid DeliveryId,
    int AttemptNumber,
    DateTimeOffset AttemptedAt,
    bool Succeeded,
    int? StatusCode,
    int DurationMs,
    string? ResponseBody,
    string? Error);

/// <summary>An event as published, in the envelope shape receivers get.</summary>
public sealed record WebhookMessage(string Id, string Type, Guid TenantId, DateTimeOffset OccurredAt, JsonElement Data);

/// <summary>The delivery log: an endpoint's messages and attempts, newest first, with filters and cursor paging.</summary>
public sealed class WebhookLogService(StreamFlowDatabase database)
{
    public async Task<Result<WebhookPage<WebhookEndpointMessage>>> ListMessagesAsync(
        Guid tenantId, Guid endpointId, WebhookMessageFilter filter, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var errors = new ValidationErrors();
        var pageSize = WebhookCursor.PageSize(limit, errors);
        var before = WebhookCursor.DecodeString(cursor, errors);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var rows = await database.InTenantAsync<List<MessageRow>?>(tenantId, async scope =>
        {
            if (!await WebhookEndpointStore.ExistsAsync(scope, endpointId))
            {
                return null;
            }

            return (await WebhookLogStore.MessagesAsync(
                scope, endpointId, filter.Status?.ToString().ToLowerInvariant(), filter.EventType, filter.Since?.ToUniversalTime(),
                filter.Until?.ToUniversalTime(), before, pageSize + 1)).ToList();
        }, cancellationToken);

        if (rows is null)
        {
            return Problem.NotFound("The webhook endpoint");
        }

        var items = rows.Take(pageSize).Select(r => r.ToMessage()).ToList();
        return new WebhookPage<WebhookEndpointMessage>(items, rows.Count > pageSize ? WebhookCursor.Encode(items[^1].Id) : null);
    }

    public async Task<Result<WebhookPage<WebhookAttemptRecord>>> ListAttemptsAsync(
        Guid tenantId, Guid endpointId, WebhookAttemptFilter filter, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var errors = new ValidationErrors();
        var pageSize = WebhookCursor.PageSize(limit, errors);
        var before = WebhookCursor.DecodeGuid(cursor, errors);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var rows = await database.InTenantAsync<List<AttemptRow>?>(tenantId, async scope =>
        {
            if (!await WebhookEndpointStore.ExistsAsync(scope, endpointId))
            {
                return null;
            }

            return (await WebhookLogStore.AttemptsAsync(
                scope, endpointId, filter.MessageId, filter.Succeeded, filter.Since?.ToUniversalTime(), filter.Until?.ToUniversalTime(), before, pageSize + 1)).ToList();
        }, cancellationToken);

        if (rows is null)
        {
            return Problem.NotFound("The webhook endpoint");
        }

        var items = rows.Take(pageSize).Select(r => r.ToRecord()).ToList();
        return new WebhookPage<WebhookAttemptRecord>(items, rows.Count > pageSize ? WebhookCursor.Encode(items[^1].Id) : null);
    }

    /// <summary>One event in the envelope shape, as its receivers got it.</summary>
    public async Task<Result<WebhookMessage>> GetMessageAsync(Guid tenantId, string messageId, CancellationToken cancellationToken)
    {
        var row = await database.InTenantAsync(tenantId, scope =>
            WebhookMessageStore.FindAsync(scope, messageId), cancellationToken);
        if (row is not { } found)
        {
            return Problem.NotFound("The webhook message");
        }

        using var payload = JsonDocument.Parse(found.PayloadJson);
        return new WebhookMessage(found.Id, found.Type, found.TenantId, WebhookEndpointStore.Utc(found.OccurredAt), payload.RootElement.Clone());
    }

    internal sealed class MessageRow
    {
        public string Id { get; set; } = "";

        public string EventType { get; set; } = "";

        public DateTime OccurredAt { get; set; }

        public Guid DeliveryId { get; set; }

        public string Status { get; set; } = "";

        public int Attempts { get; set; }

        public DateTime? LastAttemptAt { get; set; }

        public int? LastStatusCode { get; set; }

        public string? LastError { get; set; }

        public DateTime? NextAttemptAt { get; set; }

        public WebhookEndpointMessage ToMessage() => new(
            Id, EventType, WebhookEndpointStore.Utc(OccurredAt), DeliveryId, Enum.Parse<WebhookDeliveryStatus>(Status, ignoreCase: true),
            Attempts, WebhookEndpointStore.Utc(LastAttemptAt), LastStatusCode, LastError, WebhookEndpointStore.Utc(NextAttemptAt));
    }

    internal sealed class AttemptRow
    {
        public Guid Id { get; set; }

        public string MessageId { get; set; } = "";

        public Guid DeliveryId { get; set; }

        public int AttemptNumber { get; set; }

        public DateTime AttemptedAt { get; set; }

        public bool Succeeded { get; set; }

        public int? StatusCode { get; set; }

        public int DurationMs { get; set; }

        public string? ResponseBody { get; set; }

        public string? Error { get; set; }

        public WebhookAttemptRecord ToRecord() => new(
            Id, MessageId, DeliveryId, AttemptNumber, WebhookEndpointStore.Utc(AttemptedAt), Succeeded, StatusCode, DurationMs, ResponseBody, Error);
    }
}
