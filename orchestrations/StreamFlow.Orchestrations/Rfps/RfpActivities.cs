using Microsoft.DurableTask;
using StreamFlow.Core.Json;
using StreamFlow.Core.Rfps;

namespace StreamFlow.Orchestrations.Rfps;

public sealed class ExtractRfpTextActivity(RfpService rfps) : TaskActivity<RfpAnalysisInput, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, RfpAnalysisInput input) =>
        rfps.ExtractTextAsync(input.TenantId, input.RfpId, CancellationToken.None);
}

public sealed class ExtractRfpFactsActivity(RfpService rfps) : TaskActivity<RfpAnalysisInput, RfpFactsOutcome>
{
    public override async Task<RfpFactsOutcome> RunAsync(TaskActivityContext context, RfpAnalysisInput input)
    {
        var facts = await rfps.ExtractFactsAsync(input.TenantId, input.RfpId, CancellationToken.None);
        return new RfpFactsOutcome(facts.NaicsCodes.Count, facts.EvaluationCriteria.Count, facts.RequirementsFound);
    }
}

public sealed class AssessRfpActivity(RfpService rfps) : TaskActivity<RfpAnalysisInput, RfpAssessmentOutcome>
{
    public override async Task<RfpAssessmentOutcome> RunAsync(TaskActivityContext context, RfpAnalysisInput input)
    {
        var assessment = await rfps.AssessAsync(input.TenantId, input.RfpId, CancellationToken.None);
        return new RfpAssessmentOutcome(assessment.Method, StreamFlowJson.Options.PropertyNamingPolicy!.ConvertName(assessment.Recommendation.Decision.ToString()));
    }
}

public sealed class FailRfpAnalysisActivity(RfpService rfps) : TaskActivity<RfpFailure, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, RfpFailure input)
    {
        await rfps.FailAsync(input.TenantId, input.RfpId, input.Error, CancellationToken.None);
        return true;
    }
}
