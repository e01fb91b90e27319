using Microsoft.DurableTask;
using StreamFlow.Core.Privacy.Rotation;

namespace StreamFlow.Orchestrations.Privacy;

public sealed record KeyRotationRun(Guid RotationId, string Kind, Guid? TenantId);

public sealed record ResealBatch(Guid RotationId, Guid TenantId, int Version);

public sealed record RewrapTenant(Guid RotationId, Guid TenantId);

public sealed record KeyRotationFinish(Guid RotationId, string? Error);

/// <summary>
/// A key rotation: for a data key, add the next version, then re-seal batches until none is left (each batch is a
/// transaction; after a crash the orchestration replays the batches it recorded and the one in flight runs again on
/// whatever rows are still under the old version); for the KEK, re-wrap each business's keys. Progress is in the
/// rotation's row, readable while it runs.
/// </summary>
public sealed class KeyRotationOrchestrator : TaskOrchestrator<KeyRotationRun, string>
{
    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2));

    public override async Task<string> RunAsync(TaskOrchestrationContext context, KeyRotationRun input)
    {
        try
        {
            if (input.Kind == KeyRotationService.DataKey)
            {
                var version = await context.CallActivityAsync<int>(TaskNames.BeginDataKeyRotation, input, Retry);
                var done = version == 0 ? 0 : KeyRotationService.BatchSize;
                while (done > 0)
                {
                    done = await context.CallActivityAsync<int>(TaskNames.ResealBatch, new ResealBatch(input.RotationId, input.TenantId!.Value, version), Retry);
                }
            }
            else
            {
                var tenants = await context.CallActivityAsync<List<Guid>>(TaskNames.BeginKekRotation, input, Retry);
                foreach (var tenant in tenants)
                {
                    await context.CallActivityAsync<int>(TaskNames.RewrapTenantKeys, new RewrapTenant(input.RotationId, tenant), Retry);
                }
            }

            await context.CallActivityAsync(TaskNames.FinishKeyRotation, new KeyRotationFinish(input.RotationId, null), Retry);
            return "completed";
        }
        catch (TaskFailedException failure)
        {
            await context.CallActivityAsync(TaskNames.FinishKeyRotation, new KeyRotationFinish(input.RotationId, failure.FailureDetails.ErrorMessage), Retry);
            return "failed";
        }
    }
}

public sealed class BeginDataKeyRotationActivity(KeyRotationService rotations) : TaskActivity<KeyRotationRun, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, KeyRotationRun input) =>
        rotations.BeginDataKeyRotationAsync(input.RotationId, CancellationToken.None);
}

public sealed class ResealBatchActivity(KeyRotationService rotations) : TaskActivity<ResealBatch, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, ResealBatch input) =>
        rotations.ResealBatchAsync(input.RotationId, input.TenantId, input.Version, CancellationToken.None);
}

public sealed class BeginKekRotationActivity(KeyRotationService rotations) : TaskActivity<KeyRotationRun, List<Guid>>
{
    public override async Task<List<Guid>> RunAsync(TaskActivityContext context, KeyRotationRun input) =>
        [.. await rotations.BeginKekRotationAsync(input.RotationId, CancellationToken.None)];
}

public sealed class RewrapTenantKeysActivity(KeyRotationService rotations) : TaskActivity<RewrapTenant, int>
{
    public override Task<int> RunAsync(TaskActivityContext context, RewrapTenant input) =>
        rotations.RewrapTenantAsync(input.RotationId, input.TenantId, CancellationToken.None);
}

public sealed class FinishKeyRotationActivity(KeyRotationService rotations) : TaskActivity<KeyRotationFinish, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, KeyRotationFinish input)
    {
        await rotations.FinishAsync(input.RotationId, input.Error, CancellationToken.None);
        return true;
    }
}
