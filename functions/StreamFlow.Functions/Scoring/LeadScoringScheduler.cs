using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Leads;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Scoring;

namespace StreamFlow.Functions.Scoring;

/// <summary>
/// Starts the scoring orchestration of a lead version. The instance id is the lead and its version, so a repeat
/// (the request path and the pending-leads sweep) never scores the same version twice at once.
/// </summary>
public static class LeadScoringScheduler
{
    public static async Task ScheduleAsync(DurableTaskClient durable, Guid tenantId, Lead lead, ILogger logger, CancellationToken cancellationToken)
    {
        var instanceId = $"score-{lead.Id:N}-v{lead.Version}";
        try
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(
                TaskNames.LeadScoring, new LeadScoringInput(tenantId, lead.Id), new StartOrchestrationOptions(instanceId), cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The lead stays 'pending' and the sweep schedules it; the request that changed it still succeeds.
            logger.LogWarning(exception, "Could not start scoring for lead {LeadId}; the sweep will retry", lead.Id);
        }
    }
}
