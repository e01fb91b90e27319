using Microsoft.DurableTask;

namespace StreamFlow.Orchestrations.Scoring;

/// <summary>
/// Scores one new or changed lead: an AI assessment when the tenant has AI on and budget left, then rules and the
/// learned model, combined with it, persisted with history, then routed.
/// A step that keeps failing leaves the lead with its last score, its confidence lowered and the failure recorded.
/// </summary>
public sealed class LeadScoringOrchestrator : TaskOrchestrator<LeadScoringInput, ScoreLeadsResult?>
{
    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 4, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2));

    public override async Task<ScoreLeadsResult?> RunAsync(TaskOrchestrationContext context, LeadScoringInput input)
    {
        LeadAiSignal? ai = null;
        try
        {
            ai = await context.CallActivityAsync<LeadAiSignal?>(TaskNames.AssessLeadWithAi, input);
        }
        catch (TaskFailedException)
        {
            // The AI step is optional: without it the rules and the model score alone.
        }

        try
        {
            return await context.CallActivityAsync<ScoreLeadsResult>(TaskNames.ScoreLeads, new ScoreLeadsRequest(input.TenantId, [input.LeadId], ai), Retry);
        }
        catch (TaskFailedException failure)
        {
            await context.CallActivityAsync(TaskNames.MarkLeadScoringFailed,
                new ScoringFailure(input.TenantId, input.LeadId, failure.FailureDetails.ErrorMessage), Retry);
            return null;
        }
    }
}
