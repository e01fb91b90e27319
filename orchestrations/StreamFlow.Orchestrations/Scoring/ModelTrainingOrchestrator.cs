using Microsoft.DurableTask;

namespace StreamFlow.Orchestrations.Scoring;

/// <summary>Trains a tenant's conversion model as one durable step whose outcome the status resource reports.</summary>
public sealed class ModelTrainingOrchestrator : TaskOrchestrator<ModelTrainingInput, ModelTrainingResult>
{
    public override Task<ModelTrainingResult> RunAsync(TaskOrchestrationContext context, ModelTrainingInput input) =>
        context.CallActivityAsync<ModelTrainingResult>(TaskNames.TrainConversionModel, input);
}
