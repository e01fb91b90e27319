using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Orchestrations.Webhooks;

/// <summary>Starts <see cref="WebhookDeliveryOrchestrator"/> instances through a durable client, several at a time.</summary>
public sealed class DurableWebhookDeliveryStarter(DurableTaskClient client) : IWebhookDeliveryStarter
{
    private const int Parallelism = 16;

    public Task StartAsync(IReadOnlyList<WebhookDeliveryStart> deliveries, CancellationToken cancellationToken) =>
        StartAsync(deliveries.Select(d => new WebhookDeliveryInput(d.TenantId, d.DeliveryId, d.Round)).ToList(), cancellationToken);

    /// <summary>Starts rounds that resume at a later attempt or wait before their next one.</summary>
    internal Task StartAsync(IReadOnlyList<WebhookDeliveryInput> inputs, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(inputs, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, StartOneAsync);

    private async ValueTask StartOneAsync(WebhookDeliveryInput input, CancellationToken cancellationToken)
    {
        var delivery = new WebhookDeliveryStart(input.TenantId, input.DeliveryId, input.Round);
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(
                TaskNames.WebhookDelivery, input, new StartOrchestrationOptions(delivery.InstanceId), cancellationToken);
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
