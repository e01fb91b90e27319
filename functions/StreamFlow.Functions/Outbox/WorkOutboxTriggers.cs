using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Outbox;
using StreamFlow.Core.Webhooks;
using StreamFlow.Orchestrations.Outbox;

namespace StreamFlow.Functions.Outbox;

/// <summary>Starts committed outbox work on its schedule: the dispatcher of the Functions host, and the safety net behind the standalone host's listener.</summary>
public sealed class WorkOutboxTriggers(WorkOutboxDispatcher dispatcher, WebhookReplayService webhooks, ILogger<WorkOutboxTriggers> logger)
{
    [Function("WorkOutboxSweep")]
    public Task Sweep(
        [TimerTrigger("%WorkOutboxSweepSchedule%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken) =>
        dispatcher.DispatchPendingAsync(new DurableWorkStarter(durable, logger, webhooks), cancellationToken);
}
