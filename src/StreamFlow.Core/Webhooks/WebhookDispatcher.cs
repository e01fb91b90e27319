using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Webhooks;

/// <summary>What one dispatcher sweep did.</summary>
public sealed record WebhookDispatchSummary(int Messages, int DeliveriesStarted, int StalledRestarted);

/// <summary>
/// Turns committed outbox rows into running delivery orchestrations. Reading the outbox across tenants is the one
/// place that needs to: it goes through <c>webhook_claim_outbox</c>, a SECURITY DEFINER function that leases
/// undispatched events and returns nothing but (tenant, message) ids. Everything else — reading the event, matching
/// endpoints, creating deliveries — happens in each tenant's own transaction under row-level security.
/// Crash-safe and idempotent: deliveries are unique per (message, endpoint), an event is marked dispatched only after its
/// orchestrations were started, and a lease that runs out hands the event to the next sweep.
/// </summary>
public sealed class WebhookDispatcher(
    StreamFlowDatabase database,
    IOptions<WebhookOptions> options,
    TimeProvider timeProvider,
    ILogger<WebhookDispatcher> logger)
{
    private const string ClaimSql = """
        SELECT claimed_tenant_id AS TenantId, claimed_message_id AS MessageId FROM webhook_claim_outbox(@Limit, @LeaseSeconds)
        """;

    private const string FindStalledSql = """
        SELECT stalled_tenant_id AS TenantId, stalled_delivery_id AS DeliveryId FROM webhook_find_stalled_deliveries(@DueBefore, @Limit)
        """;

    // Test events go to their one endpoint; every other event to the enabled endpoints whose filter lets it through.
    private const string CreateDeliveriesSql = """
        INSERT INTO webhook_deliveries (id, tenant_id, message_id, endpoint_id, next_attempt_at, created_at, updated_at)
        SELECT gen_random_uuid(), m.tenant_id, m.id, e.id, @Now, @Now, @Now
        FROM webhook_messages m
        JOIN webhook_endpoints e ON e.tenant_id = m.tenant_id
        WHERE m.id = ANY(@MessageIds)
          AND m.dispatched_at IS NULL
          AND e.enabled
          AND (m.target_endpoint_id = e.id
               OR (m.target_endpoint_id IS NULL AND (cardinality(e.event_types) = 0 OR m.event_type = ANY(e.event_types))))
        ON CONFLICT (message_id, endpoint_id) DO NOTHING
        """;

    private const string PendingOfMessagesSql = """
        SELECT id AS DeliveryId, round AS Round FROM webhook_deliveries WHERE message_id = ANY(@MessageIds) AND status = 'pending'
        """;

    private const string MarkDispatchedSql = """
        UPDATE webhook_messages SET dispatched_at = @Now, dispatch_lease_until = NULL WHERE id = ANY(@MessageIds) AND dispatched_at IS NULL
        """;

    private const string RestartStalledSql = """
        UPDATE webhook_deliveries SET round = round + 1, next_attempt_at = @Now, updated_at = @Now
        WHERE id = ANY(@DeliveryIds) AND status = 'pending' AND next_attempt_at < @DueBefore
        RETURNING id AS DeliveryId, round AS Round
        """;

    /// <summary>Dispatches every committed event (in batches) and restarts stalled deliveries.</summary>
    public async Task<WebhookDispatchSummary> DispatchPendingAsync(IWebhookDeliveryStarter starter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(starter);
        var settings = options.Value.Dispatch;
        int messages = 0, started = 0;
        for (var batch = 0; batch < settings.MaxBatchesPerSweep; batch++)
        {
            var claimed = await database.InPlatformAsync(async scope => (await scope.Connection.QueryAsync<ClaimedMessage>(scope.Command(ClaimSql, new
            {
                Limit = settings.BatchSize,
                LeaseSeconds = (int)Math.Ceiling(settings.ClaimLease.TotalSeconds),
            }))).ToList(), cancellationToken);
            if (claimed.Count == 0)
            {
                break;
            }

            foreach (var tenant in claimed.GroupBy(c => c.TenantId))
            {
                started += await DispatchMessagesAsync(tenant.Key, tenant.Select(c => c.MessageId).ToList(), starter, cancellationToken);
            }

            messages += claimed.Count;
            logger.LogInformation("Dispatched {Messages} webhook events of {Tenants} tenants", claimed.Count, claimed.Select(c => c.TenantId).Distinct().Count());
            if (claimed.Count < settings.BatchSize)
            {
                break;
            }
        }

        var restarted = await RestartStalledAsync(starter, cancellationToken);
        return new WebhookDispatchSummary(messages, started, restarted);
    }

    /// <summary>Creates the deliveries of some of one tenant's events, starts them, and marks the events dispatched.</summary>
    public async Task<int> DispatchMessagesAsync(Guid tenantId, IReadOnlyList<string> messageIds, IWebhookDeliveryStarter starter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(starter);
        var ids = messageIds.ToArray();
        var now = timeProvider.GetUtcNow();
        var starts = await database.InTenantAsync(tenantId, async scope =>
        {
            await scope.Connection.ExecuteAsync(scope.Command(CreateDeliveriesSql, new { MessageIds = ids, Now = now }));
            var pending = await scope.Connection.QueryAsync<(Guid DeliveryId, int Round)>(scope.Command(PendingOfMessagesSql, new { MessageIds = ids }));
            return pending.Select(p => new WebhookDeliveryStart(tenantId, p.DeliveryId, p.Round)).ToList();
        }, cancellationToken);

        if (starts.Count > 0)
        {
            await starter.StartAsync(starts, cancellationToken);
        }

        await database.InTenantAsync(tenantId, scope => scope.Connection.ExecuteAsync(scope.Command(MarkDispatchedSql, new { MessageIds = ids, Now = now })), cancellationToken);
        return starts.Count;
    }

    private async Task<int> RestartStalledAsync(IWebhookDeliveryStarter starter, CancellationToken cancellationToken)
    {
        var settings = options.Value.Dispatch;
        var now = timeProvider.GetUtcNow();
        var dueBefore = now - settings.StalledAfter;
        var stalled = await database.InPlatformAsync(async scope => (await scope.Connection.QueryAsync<(Guid TenantId, Guid DeliveryId)>(
            scope.Command(FindStalledSql, new { DueBefore = dueBefore, Limit = settings.BatchSize }))).ToList(), cancellationToken);
        var restarted = 0;
        foreach (var tenant in stalled.GroupBy(s => s.TenantId))
        {
            var ids = tenant.Select(s => s.DeliveryId).ToArray();
            var starts = await database.InTenantAsync(tenant.Key, async scope =>
                (await scope.Connection.QueryAsync<(Guid DeliveryId, int Round)>(scope.Command(RestartStalledSql, new { DeliveryIds = ids, Now = now, DueBefore = dueBefore })))
                .Select(r => new WebhookDeliveryStart(tenant.Key, r.DeliveryId, r.Round)).ToList(), cancellationToken);
            if (starts.Count > 0)
            {
                await starter.StartAsync(starts, cancellationToken);
                restarted += starts.Count;
            }
        }

        if (restarted > 0)
        {
            logger.LogWarning("Restarted {Count} stalled webhook deliveries", restarted);
        }

        return restarted;
    }

    private sealed record ClaimedMessage(Guid TenantId, string MessageId);
}
