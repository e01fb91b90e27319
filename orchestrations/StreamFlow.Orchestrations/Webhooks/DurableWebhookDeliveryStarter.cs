using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Orchestrations.Webhooks;

/// <summary>Starts <see cref="WebhookDeliveryOrchestrator"/> instances through a durable client, several at a time.</summary>
public sealed class DurableWebhookDeliveryStarter(DurableTaskClient client) : IWebhookDeliveryStarter
{
    private const int Parallelism = 16;

    public Task StartAsync(IReadOnlyList<WebhookDeliveryStart> deliveries, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(deliveries, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, StartOneAsync);

    private async ValueTask StartOneAsync(WebhookDeliveryStart delivery, CancellationToken cancellationToken)
    {
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(
                TaskNames.WebhookDelivery,
                new WebhookDeliveryInput(delivery.TenantId, delivery.DeliveryId, delivery.Round),
                new StartOrchestrationOptions(delivery.InstanceId),
                cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Already started (by a dispatcher that crashed before marking its events, or a concurrent one) is fine.
            if (await client.GetInstanceAsync(delivery.InstanceId, getInputsAndOutputs: false, cancellationToken) is null)
            {
                throw;
            }
        }
    }
}
