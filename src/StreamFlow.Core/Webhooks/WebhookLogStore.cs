using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Webhooks;

/// <summary>The SQL of the delivery log (an endpoint's messages and attempts, newest first); runs in the caller's tenant transaction.</summary>
internal static class WebhookLogStore
{
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

    public static Task<IEnumerable<WebhookLogService.MessageRow>> MessagesAsync(
        DbTransactionScope scope, Guid endpointId, string? status, string? eventType, DateTimeOffset? since, DateTimeOffset? until, string? before, int limit) =>
        scope.Connection.QueryAsync<WebhookLogService.MessageRow>(scope.Command(MessagesSql, new
        {
            EndpointId = endpointId, Status = status, EventType = eventType, Since = since, Until = until, Before = before, Limit = limit,
        }));

    public static Task<IEnumerable<WebhookLogService.AttemptRow>> AttemptsAsync(
        DbTransactionScope scope, Guid endpointId, string? messageId, bool? succeeded, DateTimeOffset? since, DateTimeOffset? until, Guid? before, int limit) =>
        scope.Connection.QueryAsync<WebhookLogService.AttemptRow>(scope.Command(AttemptsSql, new
        {
            EndpointId = endpointId, MessageId = messageId, Succeeded = succeeded, Since = since, Until = until, Before = before, Limit = limit,
        }));
}
