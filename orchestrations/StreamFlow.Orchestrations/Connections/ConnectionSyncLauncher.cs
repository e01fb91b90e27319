using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Orchestrations.Connections;

/// <summary>
/// Starts syncs, one at a time per connection: the sync row is opened first (a unique index admits one pending or
/// running sync per connection), then its orchestration under <c>connection-sync-{syncId:N}</c>. A start that finds a
/// sync whose orchestration is gone (the host died between the two steps, or it was terminated) fails that sync and
/// opens a new one.
/// </summary>
public sealed class ConnectionSyncLauncher(ConnectionService connections, TimeProvider time)
{
    private static readonly TimeSpan StartGrace = TimeSpan.FromMinutes(2);

    public async Task<Result<SyncOpening>> StartAsync(DurableTaskClient client, Guid tenantId, Guid connectionId, string trigger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        for (var attempt = 0; ; attempt++)
        {
            var opening = await connections.OpenSyncAsync(tenantId, connectionId, trigger, cancellationToken);
            if (!opening.Succeeded)
            {
                return opening;
            }

            var sync = opening.Value.Sync;
            if (opening.Value.Opened)
            {
                try
                {
                    await client.ScheduleNewOrchestrationInstanceAsync(TaskNames.ConnectionSync, new ConnectionSyncInput(tenantId, connectionId, sync.Id),
                        new StartOrchestrationOptions(InstanceId(sync.Id)), cancellationToken);
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    await connections.FinishSyncAsync(tenantId, connectionId, sync.Id, "The sync could not be started.", "unavailable", CancellationToken.None);
                    throw;
                }

                return opening;
            }

            var instance = await client.GetInstanceAsync(InstanceId(sync.Id), getInputsAndOutputs: false, cancellationToken);
            var alive = instance is null
                ? time.GetUtcNow() - sync.CreatedAt < StartGrace
                : instance.RuntimeStatus is OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Suspended;
            if (alive || attempt > 0)
            {
                return opening;
            }

            await connections.FinishSyncAsync(tenantId, connectionId, sync.Id, "The sync's orchestration ended without finishing it.", "unavailable", cancellationToken);
        }
    }

    /// <summary>Starts the scheduled syncs that are due, across tenants.</summary>
    public async Task<int> StartDueAsync(DurableTaskClient client, CancellationToken cancellationToken)
    {
        var started = 0;
        foreach (var due in await connections.DueAsync(200, cancellationToken))
        {
            if (await StartAsync(client, due.TenantId, due.ConnectionId, "schedule", cancellationToken) is { Succeeded: true, Value.Opened: true })
            {
                started++;
            }
        }

        return started;
    }

    public static string InstanceId(Guid syncId) => $"connection-sync-{syncId:N}";
}
