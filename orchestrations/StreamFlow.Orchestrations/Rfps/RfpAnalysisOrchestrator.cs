using Microsoft.DurableTask;

namespace StreamFlow.Orchestrations.Rfps;

public sealed record RfpAnalysisInput(Guid TenantId, Guid RfpId);

public sealed record RfpFactsOutcome(int NaicsCodes, int EvaluationFactors, int Requirements);

public sealed record RfpAssessmentOutcome(string Method, string Decision);

public sealed record RfpFailure(Guid TenantId, Guid RfpId, string Error);

/// <summary>
/// Analyzes an uploaded RFP: extract its text, read the facts deterministically (readable from here on), then assess
/// it with AI or the local method. Each step is an idempotent activity; a step that fails for good fails the RFP with
/// the reason, so its status never stays "running".
/// </summary>
public sealed class RfpAnalysisOrchestrator : TaskOrchestrator<RfpAnalysisInput, string>
{
    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2));

    public override async Task<string> RunAsync(TaskOrchestrationContext context, RfpAnalysisInput input)
    {
        try
        {
            var segments = await context.CallActivityAsync<int>(TaskNames.ExtractRfpText, input, Retry);
            if (segments == 0)
            {
                return "failed";
            }

            context.SetCustomStatus(new { step = "extractingFacts", segments });
            await context.CallActivityAsync<RfpFactsOutcome>(TaskNames.ExtractRfpFacts, input, Retry);
            context.SetCustomStatus(new { step = "assessing", segments });
            var assessment = await context.CallActivityAsync<RfpAssessmentOutcome>(TaskNames.AssessRfp, input, Retry);
            context.SetCustomStatus(new { step = "done", segments });
            return $"completed ({assessment.Method})";
        }
        catch (TaskFailedException failure)
        {
            await context.CallActivityAsync(TaskNames.FailRfpAnalysis,
                new RfpFailure(input.TenantId, input.RfpId, $"The analysis failed: {failure.FailureDetails.ErrorMessage}"), Retry);
            return "failed";
        }
    }
}
