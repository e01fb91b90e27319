using Microsoft.Extensions.Logging;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Orchestrations.Webhooks;

/// <summary>
/// The dispatcher's starter: makes each delivery's first attempt itself, right away, and starts a delivery
/// orchestration only for what is left — a retry (resuming at the second attempt, with a durable timer until it is
/// due), a wait (rate limit), or an attempt that could not be made (the database away). Most deliveries succeed at the
/// first attempt, and those then cost no durable state at all: no instance row, no history, no queue messages. That is
/// what lifts sustained throughput from what the durable backend can schedule to what the attempt step can do.
/// A dispatch pass waits at most <see cref="InlineWindow"/> for its attempts, so a receiver that hangs (up to the 15 s
/// attempt timeout) holds one of the <see cref="Parallelism"/> slots, not the other tenants' next events; attempts
/// still running go on in the background and start their own follow-up. Crash-safe: a delivery whose first attempt
/// never finished stays pending and is restarted by the dispatcher's stalled-delivery sweep.
/// </summary>
public sealed class FirstAttemptInlineStarter(WebhookAttemptService attempts, DurableWebhookDeliveryStarter durable, ILogger logger) : IWebhookDeliveryStarter
{
    // Attempts in flight at once across passes; each holds no transaction while its request is out.
    private const int Parallelism = 32;

    private static readonly TimeSpan InlineWindow = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _slots = new(Parallelism, Parallelism);

    public async Task StartAsync(IReadOnlyList<WebhookDeliveryStart> deliveries, CancellationToken cancellationToken)
    {
        var running = deliveries.Select(delivery => AttemptInSlotAsync(delivery, cancellationToken)).ToList();
        var all = Task.WhenAll(running);
        await Task.WhenAny(all, Task.Delay(InlineWindow, cancellationToken));

        foreach (var attempt in running.Where(attempt => !attempt.IsCompleted))
        {
            _ = FollowUpWhenDoneAsync(attempt, cancellationToken);
        }

        var followUps = running.Where(attempt => attempt.IsCompletedSuccessfully).Select(attempt => attempt.Result).OfType<WebhookDeliveryInput>().ToList();
        if (followUps.Count > 0)
        {
            await durable.StartAsync(followUps, cancellationToken);
        }
    }

    private async Task<WebhookDeliveryInput?> AttemptInSlotAsync(WebhookDeliveryStart delivery, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            return await FirstAttemptAsync(delivery, cancellationToken);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task FollowUpWhenDoneAsync(Task<WebhookDeliveryInput?> attempt, CancellationToken cancellationToken)
    {
        try
        {
            if (await attempt is { } followUp)
            {
                await durable.StartAsync([followUp], cancellationToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The delivery stays pending: the stalled-delivery sweep restarts it.
            logger.LogWarning(exception, "A webhook first attempt finished after its dispatch pass and its follow-up could not start");
        }
        catch (OperationCanceledException)
        {
            // Shutting down: the delivery stays pending for the next host's sweep.
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
