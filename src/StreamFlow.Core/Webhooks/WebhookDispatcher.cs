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
    /// <summary>Dispatches every committed event (in batches) and restarts stalled deliveries.</summary>
    public async Task<WebhookDispatchSummary> DispatchPendingAsync(IWebhookDeliveryStarter starter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(starter);
        var settings = options.Value.Dispatch;
        int messages = 0, started = 0;
        for (var batch = 0; batch < settings.MaxBatchesPerSweep; batch++)
        {
            var claimed = await database.InPlatformAsync(async scope => (await WebhookMessageStore.ClaimUndispatchedAsync(scope, settings.BatchSize, (int)Math.Ceiling(settings.ClaimLease.TotalSeconds))).ToList(), cancellationToken);
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
            await WebhookDeliveryStore.CreateForMessagesAsync(scope, ids, now);
            var pending = await WebhookDeliveryStore.PendingOfMessagesAsync(scope, ids);
            return pending.Select(p => new WebhookDeliveryStart(tenantId, p.DeliveryId, p.Round)).ToList();
        }, cancellationToken);

        if (starts.Count > 0)
        {
            await starter.StartAsync(starts, cancellationToken);
        }

        await database.InTenantAsync(tenantId, scope => WebhookMessageStore.MarkDispatchedAsync(scope, ids, now), cancellationToken);
        return starts.Count;
    }

    private async Task<int> RestartStalledAsync(IWebhookDeliveryStarter starter, CancellationToken cancellationToken)
    {
        var settings = options.Value.Dispatch;
        var now = timeProvider.GetUtcNow();
        var dueBefore = now - settings.StalledAfter;
        var stalled = await database.InPlatformAsync(async scope => (await WebhookDeliveryStore.FindStalledAsync(scope, dueBefore, settings.BatchSize)).ToList(), cancellationToken);
        var restarted = 0;
        foreach (var tenant in stalled.GroupBy(s => s.TenantId))
        {
            var ids = tenant.Select(s => s.DeliveryId).ToArray();
            var starts = await database.InTenantAsync(tenant.Key, async scope =>
                (await WebhookDeliveryStore.RestartStalledAsync(scope, ids, now, dueBefore))
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
}
