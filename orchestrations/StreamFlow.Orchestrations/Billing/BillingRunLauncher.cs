using System.Globalization;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using StreamFlow.Core.Billing.Cycle;
using StreamFlow.Core.Outbox;

namespace StreamFlow.Orchestrations.Billing;

/// <summary>Whether a billing run was started now, or one with its id was already there.</summary>
public sealed record BillingRunStart(string InstanceId, bool Started);

/// <summary>What the billing timer started.</summary>
public sealed record BillingCycleRun(int Due, int Started);

/// <summary>
/// Starts billing runs under their deterministic instance id, <c>billing-{tenantId:N}-{periodStart:yyyyMMdd}</c>:
/// a run that exists (pending, running or completed) is left alone, so the timer firing again, a second app
/// instance or a provider's "run now" start nothing new; a failed or terminated run is purged and started again,
/// and resumes from what its idempotent steps already did.
/// </summary>
public sealed class BillingRunLauncher(BillingCycleService cycle, PlatformOperations operations)
{
    private const int StartParallelism = 16;

    /// <summary>Starts the run of every client whose billing is due today, several at a time.</summary>
    public async Task<BillingCycleRun> StartDueAsync(DurableTaskClient client, CancellationToken cancellationToken)
    {
        var due = await cycle.FindDueAsync(cancellationToken);
        var started = 0;
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = StartParallelism, CancellationToken = cancellationToken }, async (run, token) =>
        {
            if ((await StartAsync(client, run, token)).Started)
            {
                Interlocked.Increment(ref started);
            }
        });
        return new BillingCycleRun(due.Count, started);
    }

    /// <summary>
    /// A provider's "run now": commits the run as a platform operation and returns its instance id, without waiting on the
    /// durable backend; the outbox dispatcher starts it as <see cref="StartAsync"/> does.
    /// </summary>
    public Task<string> CommitAsync(BillingRunRequest run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        return operations.AddAsync(PlatformWorkKinds.BillingRun, InstanceId(run.TenantId, run.PeriodStart), run, cancellationToken);
    }

    public Task<BillingRunStart> StartAsync(DurableTaskClient client, BillingRunRequest run, CancellationToken cancellationToken) =>
        StartOnceAsync(client, run, cancellationToken);

    /// <summary>Starts the run unless it exists (a failed or terminated one is purged and started again).</summary>
    public static async Task<BillingRunStart> StartOnceAsync(DurableTaskClient client, BillingRunRequest run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(run);
        var instanceId = InstanceId(run.TenantId, run.PeriodStart);
        var existing = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken);
        if (existing is not null)
        {
            if (existing.RuntimeStatus is not (OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated))
            {
                return new BillingRunStart(instanceId, Started: false);
            }

            await client.PurgeInstanceAsync(instanceId, cancellationToken);
        }

        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(TaskNames.BillingCycle, run, new StartOrchestrationOptions(instanceId), cancellationToken);
            return new BillingRunStart(instanceId, Started: true);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Another starter may have won the race between the check and the start.
            if (await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken) is not null)
            {
                return new BillingRunStart(instanceId, Started: false);
            }

            throw;
        }
    }

    /// <summary>True when <paramref name="instanceId"/> is a billing run of <paramref name="tenantId"/>.</summary>
    public static bool BelongsTo(string instanceId, Guid tenantId) =>
        instanceId.StartsWith($"billing-{tenantId:N}-", StringComparison.Ordinal);

    public static string InstanceId(Guid tenantId, DateOnly periodStart) =>
        $"billing-{tenantId:N}-{periodStart.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}";
}
