using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Webhooks;

/// <summary>The SQL of webhook events (the outbox rows); tenant methods run in the caller's tenant transaction.</summary>
internal static class WebhookMessageStore
{
    private const string MessageSql = """
        SELECT id AS Id, event_type AS Type, tenant_id AS TenantId, occurred_at AS OccurredAt, payload::text AS PayloadJson
        FROM webhook_messages WHERE id = @MessageId
        """;

    private const string MessageExistsSql = "SELECT EXISTS (SELECT 1 FROM webhook_messages WHERE id = @MessageId)";

    private const string InsertSql = """
        INSERT INTO webhook_messages (id, tenant_id, event_type, occurred_at, payload, target_endpoint_id, dispatched_at)
        VALUES (@Id, @TenantId, @EventType, @OccurredAt, @Payload::jsonb, @TargetEndpointId, @DispatchedAt);
        SELECT pg_notify('webhook_outbox', '');
        """;

    // A batch's events in one statement, in their order (their ids ascend), and one wake-up for them all.
    private const string InsertManySql = """
        INSERT INTO webhook_messages (id, tenant_id, event_type, occurred_at, payload)
        SELECT x.id, @TenantId, x.event_type, x.occurred_at, x.payload::jsonb
        FROM unnest(@Ids::text[], @EventTypes::text[], @OccurredAts::timestamptz[], @Payloads::text[]) WITH ORDINALITY AS x (id, event_type, occurred_at, payload, n)
        ORDER BY x.n;
        SELECT pg_notify('webhook_outbox', '');
        """;

    private const string ClaimSql = """
        SELECT claimed_tenant_id AS TenantId, claimed_message_id AS MessageId FROM webhook_claim_outbox(@Limit, @LeaseSeconds)
        """;

    private const string MarkDispatchedSql = """
        UPDATE webhook_messages SET dispatched_at = @Now, dispatch_lease_until = NULL WHERE id = ANY(@MessageIds) AND dispatched_at IS NULL
        """;

    /// <summary>Writes the event and wakes the dispatcher (the notification is delivered when the transaction commits).</summary>
    public static Task InsertAsync(DbTransactionScope scope, WebhookOutbox.OutboxRow row) =>
        scope.ExecuteAsync(InsertSql, new
        {
            row.Id,
            row.TenantId,
            row.EventType,
            row.OccurredAt,
            row.Payload,
            row.TargetEndpointId,
            row.DispatchedAt,
        }, resultSets: 1);

    /// <summary>Many events of one tenant for every endpoint that wants them, as <see cref="InsertAsync"/> writes one.</summary>
    public static Task InsertManyAsync(DbTransactionScope scope, Guid tenantId, IReadOnlyList<WebhookOutbox.OutboxRow> rows) =>
        scope.ExecuteAsync(InsertManySql, new
        {
            TenantId = tenantId, Ids = rows.Select(r => r.Id).ToArray(), EventTypes = rows.Select(r => r.EventType).ToArray(),
            OccurredAts = rows.Select(r => r.OccurredAt).ToArray(), Payloads = rows.Select(r => r.Payload).ToArray(),
        }, resultSets: 1);

    /// <summary>Across tenants (SECURITY DEFINER): leases up to <paramref name="limit"/> undispatched events.</summary>
    public static Task<IEnumerable<ClaimedMessage>> ClaimUndispatchedAsync(DbTransactionScope scope, int limit, int leaseSeconds) =>
        scope.Connection.QueryAsync<ClaimedMessage>(scope.Command(ClaimSql, new { Limit = limit, LeaseSeconds = leaseSeconds }));

    public static Task<int> MarkDispatchedAsync(DbTransactionScope scope, string[] messageIds, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(MarkDispatchedSql, new { MessageIds = messageIds, Now = now }));

    internal sealed record ClaimedMessage(Guid TenantId, string MessageId);

    public static Task<bool> ExistsAsync(DbTransactionScope scope, string messageId) =>
        scope.Connection.ExecuteScalarAsync<bool>(scope.Command(MessageExistsSql, new { MessageId = messageId }));

    public static Task<(string Id, string Type, Guid TenantId, DateTime OccurredAt, string PayloadJson)?> FindAsync(DbTransactionScope scope, string messageId) =>
        scope.Connection.QuerySingleOrDefaultAsync<(string Id, string Type, Guid TenantId, DateTime OccurredAt, string PayloadJson)?>(
            scope.Command(MessageSql, new { MessageId = messageId }));
}
