using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using StreamFlow.Orchestrations.LeadSources;

namespace StreamFlow.Functions.LeadSources;

/// <summary>Sends Local Services lead feedback soon after a lead is won or lost, without waiting for the next sync (docs/lead-sources.md).</summary>
public sealed class LocalServicesFeedbackTimer(LocalServicesFeedbackStarter starter, ILogger<LocalServicesFeedbackTimer> logger)
{
    [Function("StartLocalServicesFeedbackSyncs")]
    public async Task Run([TimerTrigger("%LeadSources:GoogleLsa:FeedbackSchedule%")] TimerInfo timer, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var started = await starter.StartDueAsync(durable, cancellationToken);
        if (started > 0)
        {
            logger.LogInformation("Local Services feedback syncs started: {Started}", started);
        }
    }
}
