using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using StreamFlow.Core.Webhooks;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Webhooks;

namespace StreamFlow.Functions.Webhooks;

/// <summary>The webhook delivery orchestration and activity shims, and the outbox sweep on its schedule.</summary>
public sealed class WebhookTriggers(SendWebhookAttemptActivity sendAttempt, WebhookDispatcher dispatcher)
{
    [Function(TaskNames.WebhookDelivery)]
    public static Task<WebhookDeliveryResult> WebhookDelivery([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new WebhookDeliveryOrchestrator().RunAsync(context, context.GetInput<WebhookDeliveryInput>()!);

    [Function(TaskNames.SendWebhookAttempt)]
    public Task<WebhookAttemptOutcome> SendWebhookAttempt([ActivityTrigger] WebhookAttemptRequest input) =>
        sendAttempt.RunAsync(new FunctionActivityContext(TaskNames.SendWebhookAttempt), input);

    /// <summary>Dispatches committed events and restarts stalled deliveries; the safety net behind the NOTIFY listener.</summary>
    [Function("WebhookDispatchSweep")]
    public Task DispatchSweep(
        [TimerTrigger("%WebhookDispatchSchedule%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken) =>
        dispatcher.DispatchPendingAsync(new DurableWebhookDeliveryStarter(durable), cancellationToken);
}
