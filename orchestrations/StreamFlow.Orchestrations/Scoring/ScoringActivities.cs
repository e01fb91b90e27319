using Microsoft.DurableTask;
using StreamFlow.Core.Scoring;

namespace StreamFlow.Orchestrations.Scoring;

public sealed class ScoreLeadsActivity(LeadScoringService scoring) : TaskActivity<ScoreLeadsRequest, ScoreLeadsResult>
{
    public override async Task<ScoreLeadsResult> RunAsync(TaskActivityContext context, ScoreLeadsRequest input)
    {
        var ai = input.Ai is { } signal && input.LeadIds.Count == 1
            ? new Dictionary<Guid, AiSignal> { [input.LeadIds[0]] = new(signal.Value, signal.Confidence, signal.Reason) }
            : null;
        var scored = await scoring.ScoreAsync(input.TenantId, input.LeadIds, ai, CancellationToken.None);
        return new ScoreLeadsResult(scored.Count, scored.Where(s => s.AssignedTo is not null).Select(s => s.LeadId).ToList());
    }
}

public sealed class MarkLeadScoringFailedActivity(LeadScoringService scoring) : TaskActivity<ScoringFailure, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, ScoringFailure input)
    {
        await scoring.MarkFailedAsync(input.TenantId, input.LeadId, input.Error, CancellationToken.None);
        return true;
    }
}

public sealed class TrainConversionModelActivity(ModelTrainingService training) : TaskActivity<ModelTrainingInput, ModelTrainingResult>
{
    public override async Task<ModelTrainingResult> RunAsync(TaskActivityContext context, ModelTrainingInput input)
    {
        var outcome = await training.TrainAsync(input.TenantId, input.RunId, CancellationToken.None);
        return new ModelTrainingResult(outcome.Status, outcome.Version, outcome.Reason);
    }
}

public sealed class AssessLeadWithAiActivity(AiLeadAssessor assessor) : TaskActivity<LeadScoringInput, LeadAiSignal?>
{
    public override async Task<LeadAiSignal?> RunAsync(TaskActivityContext context, LeadScoringInput input)
    {
        var signal = await assessor.AssessAsync(input.TenantId, input.LeadId, CancellationToken.None);
        return signal is null ? null : new LeadAiSignal(signal.Value, signal.Confidence, signal.Reason);
    }
}
