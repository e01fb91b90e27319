using System.Text.Json;
using Dapper;
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
    private const string EndpointExistsSql = "SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE id = @EndpointId)";

    private const string MessagesSql = """
        SELECT m.id AS Id, m.event_type AS EventType, m.occurred_at AS OccurredAt, d.id AS DeliveryId, d.status AS Status,
               d.attempts AS Attempts, d.last_attempt_at AS LastAttemptAt, d.last_status_code AS LastStatusCode,
               d.last_error AS LastError, d.next_attempt_at AS NextAttemptAt
        FROM webhook_deliveries d
        JOIN webhook_messages m ON m.id = d.message_id
        WHERE d.endpoint_id = @EndpointId
          AND (@Status::text IS NULL OR d.status = @Status::text)
          AND (@EventType::text IS NULL OR m.event_type = @EventType::text)
          AND (@Since::timestamptz IS NULL OR m.occurred_at >= @Since::timestamptz)
          AND (@Until::timestamptz IS NULL OR m.occurred_at < @Until::timestamptz)
          AND (@Before::text IS NULL OR d.message_id < @Before::text)
        ORDER BY d.message_id DESC
        LIMIT @Limit
        """;

    private const string AttemptsSql = """
        SELECT id AS Id, message_id AS MessageId, delivery_id AS DeliveryId, attempt_number AS AttemptNumber,
               attempted_at AS AttemptedAt, succeeded AS Succeeded, status_code AS StatusCode, duration_ms AS DurationMs,
               response_body AS ResponseBody, error AS Error
        FROM webhook_attempts
        WHERE endpoint_id = @EndpointId
          AND (@MessageId::text IS NULL OR message_id = @MessageId::text)
          AND (@Succeeded::boolean IS NULL OR succeeded = @Succeeded::boolean)
          AND (@Since::timestamptz IS NULL OR attempted_at >= @Since::timestamptz)
          AND (@Until::timestamptz IS NULL OR attempted_at < @Until::timestamptz)
          AND (@Before::uuid IS NULL OR id < @Before::uuid)
        ORDER BY id DESC
        LIMIT @Limit
        """;

    private const string MessageSql = """
        SELECT id AS Id, event_type AS Type, tenant_id AS TenantId, occurred_at AS OccurredAt, payload::text AS PayloadJson
        FROM webhook_messages WHERE id = @MessageId
        """;

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
            if (!await scope.Connection.ExecuteScalarAsync<bool>(scope.Command(EndpointExistsSql, new { EndpointId = endpointId })))
            {
                return null;
            }

            return (await scope.Connection.QueryAsync<MessageRow>(scope.Command(MessagesSql, new
            {
                EndpointId = endpointId,
                Status = filter.Status?.ToString().ToLowerInvariant(),
                EventType = filter.EventType,
                Since = filter.Since?.ToUniversalTime(),
                Until = filter.Until?.ToUniversalTime(),
                Before = before,
                Limit = pageSize + 1,
            }))).ToList();
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
            if (!await scope.Connection.ExecuteScalarAsync<bool>(scope.Command(EndpointExistsSql, new { EndpointId = endpointId })))
            {
                return null;
            }

            return (await scope.Connection.QueryAsync<AttemptRow>(scope.Command(AttemptsSql, new
            {
                EndpointId = endpointId,
                filter.MessageId,
                filter.Succeeded,
                Since = filter.Since?.ToUniversalTime(),
                Until = filter.Until?.ToUniversalTime(),
                Before = before,
                Limit = pageSize + 1,
            }))).ToList();
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
            scope.Connection.QuerySingleOrDefaultAsync<(string Id, string Type, Guid TenantId, DateTime OccurredAt, string PayloadJson)?>(
                scope.Command(MessageSql, new { MessageId = messageId })), cancellationToken);
        if (row is not { } found)
        {
            return Problem.NotFound("The webhook message");
        }

        using var payload = JsonDocument.Parse(found.PayloadJson);
        return new WebhookMessage(found.Id, found.Type, found.TenantId, WebhookEndpointStore.Utc(found.OccurredAt), payload.RootElement.Clone());
    }

    private sealed class MessageRow
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

    private sealed class AttemptRow
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
