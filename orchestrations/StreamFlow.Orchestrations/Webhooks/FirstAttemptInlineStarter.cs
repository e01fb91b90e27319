using Microsoft.Extensions.Logging;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Orchestrations.Webhooks;

/// <summary>
/// The dispatcher's starter: makes each delivery's first attempt itself, right away, and starts a delivery
/// orchestration only for what is left — a retry (resuming at the second attempt, with a durable timer until it is
/// due), a wait (rate limit), or an attempt that could not be made (the database away). Most deliveries succeed at the
/// first attempt, and those then cost no durable state at all: no instance row, no history, no queue messages. That is
/// what lifts sustained throughput from what the durable backend can schedule to what the attempt step can do.
/// Crash-safe as before: the dispatcher marks its events dispatched only after this returns, so a crash in between
/// hands them to the next sweep, whose attempt finds the first one already recorded and starts the retry round.
/// </summary>
public sealed class FirstAttemptInlineStarter(WebhookAttemptService attempts, DurableWebhookDeliveryStarter durable, ILogger logger) : IWebhookDeliveryStarter
{
    // Attempts in flight at once; each holds no transaction while its request is out.
    private const int Parallelism = 32;

    public async Task StartAsync(IReadOnlyList<WebhookDeliveryStart> deliveries, CancellationToken cancellationToken)
    {
        var followUps = new System.Collections.Concurrent.ConcurrentQueue<WebhookDeliveryInput>();
        await Parallel.ForEachAsync(deliveries, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (delivery, token) =>
            {
                if (await FirstAttemptAsync(delivery, token) is { } followUp)
                {
                    followUps.Enqueue(followUp);
                }
            });

        if (!followUps.IsEmpty)
        {
            await durable.StartAsync([.. followUps], cancellationToken);
        }
    }

    private async Task<WebhookDeliveryInput?> FirstAttemptAsync(WebhookDeliveryStart delivery, CancellationToken cancellationToken)
    {
        WebhookAttemptOutcome outcome;
        try
        {
            outcome = await attempts.RunAsync(new WebhookAttemptRequest(delivery.TenantId, delivery.DeliveryId, delivery.Round, 1), cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // The orchestration's activity retries infrastructure failures with backoff.
            logger.LogWarning(exception, "First attempt of webhook delivery {DeliveryId} could not run; its orchestration takes over", delivery.DeliveryId);
            return new WebhookDeliveryInput(delivery.TenantId, delivery.DeliveryId, delivery.Round);
        }

        return outcome switch
        {
            { IsFinal: true } => null,
            { Disposition: WebhookAttemptDisposition.RetryScheduled } => new WebhookDeliveryInput(
                delivery.TenantId, delivery.DeliveryId, delivery.Round, RoundAttempt: 2, NotBefore: outcome.NextAttemptAt),
            _ => new WebhookDeliveryInput(delivery.TenantId, delivery.DeliveryId, delivery.Round, RoundAttempt: 1, NotBefore: outcome.NextAttemptAt),
        };
    }
}
