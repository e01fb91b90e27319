using Microsoft.DurableTask.Client;
using StreamFlow.Core.Outbox;
using StreamFlow.Orchestrations;

namespace StreamFlow.Functions.Durable;

/// <summary>
/// The status of a platform operation (backup, restore, self-test): "pending" from its row while the dispatcher has not
/// started it (the durable backend is not asked, so the route answers while it is down), the orchestration's status after.
/// </summary>
public static class PlatformOperationStatus
{
    public static async Task<OperationStatus?> ReadAsync(
        PlatformOperations operations, DurableTaskClient durable, string id, IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        var operation = await operations.FindAsync(id, cancellationToken);
        if (operation is { StartedAt: null } && NameOf(operation.Kind) is { } name && names.Contains(name))
        {
            return OperationStatus.Pending(operation.InstanceId, name, operation.CreatedAt);
        }

        var metadata = await durable.GetInstanceAsync(id, getInputsAndOutputs: true, cancellationToken);
        if (metadata is not null)
        {
            return names.Contains(metadata.Name) ? OperationStatus.From(metadata) : null;
        }

        // Started a moment ago and not yet visible to this client: still pending.
        return operation is not null && NameOf(operation.Kind) is { } startedName && names.Contains(startedName)
            ? OperationStatus.Pending(operation.InstanceId, startedName, operation.CreatedAt)
            : null;
    }

    private static string? NameOf(string kind) => kind switch
    {
        PlatformWorkKinds.Backup => TaskNames.DatabaseBackup,
        PlatformWorkKinds.Restore => TaskNames.DatabaseRestore,
        PlatformWorkKinds.SelfTest => TaskNames.PlatformSelfTest,
        PlatformWorkKinds.BillingRun => TaskNames.BillingCycle,
        _ => null,
    };
}
