using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Outbox;

namespace StreamFlow.Orchestrations.Workflows;

/// <summary>
/// What the work outbox tells a run's orchestration after the commit that needs it: stop (the run was cancelled) or
/// wake up (its lead changed: check the condition it waits on now). An orchestration that does not exist or has ended
/// needs nothing: the item is done. Anything else keeps the item for another try when its claim runs out.
/// </summary>
internal static class WorkflowRunSignals
{
    public static async Task<bool> TrySendAsync(DurableTaskClient client, string kind, string instanceId, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            if (await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken) is not { IsRunning: true } and not { RuntimeStatus: OrchestrationRuntimeStatus.Pending })
            {
                return true;
            }

            if (kind == WorkKinds.WorkflowRunCancel)
            {
                await client.TerminateInstanceAsync(instanceId, "The workflow run was cancelled.", cancellationToken);
            }
            else
            {
                await client.RaiseEventAsync(instanceId, WorkflowRunOrchestrator.WakeEvent, "changed", cancellationToken);
            }

            return true;
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(exception, "Could not send {Kind} to the orchestration {InstanceId}; it is retried after its claim runs out", kind, instanceId);
            return false;
        }
    }
}
