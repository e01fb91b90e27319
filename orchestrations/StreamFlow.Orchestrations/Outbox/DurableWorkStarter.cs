using System.Collections.Concurrent;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.FieldOps.Technicians;
using StreamFlow.Core.Outbox;
using StreamFlow.Core.Webhooks;
using StreamFlow.Orchestrations.Leads;
using StreamFlow.Orchestrations.Rfps;
using StreamFlow.Orchestrations.Scoring;
using StreamFlow.Orchestrations.Webhooks;

namespace StreamFlow.Orchestrations.Outbox;

/// <summary>
/// Starts the orchestration of each outbox work item through a durable client, several at a time. The instance id is
/// the outbox row's, so a row started again after a dispatcher died (its removal lost) finds its instance already there.
/// Webhook deliveries (<see cref="WorkKinds.WebhookDelivery"/>: resends, recoveries, test events) need
/// <paramref name="webhooks"/> to read the round to start; without it they are left for a host that has it.
/// </summary>
public sealed class DurableWorkStarter(DurableTaskClient client, ILogger logger, WebhookReplayService? webhooks = null) : IWorkStarter
{
    private const int Parallelism = 16;

    public async Task<IReadOnlyList<long>> StartAsync(IReadOnlyList<WorkItem> items, CancellationToken cancellationToken)
    {
        var started = new ConcurrentBag<long>();
        var deliveries = items.Where(item => item is { IsPlatform: false, Kind: WorkKinds.WebhookDelivery }).ToList();
        foreach (var id in await StartWebhookDeliveriesAsync(deliveries, cancellationToken))
        {
            started.Add(id);
        }

        await Parallel.ForEachAsync(items.Except(deliveries), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (item, token) =>
        {
            if (await TryStartAsync(item, token))
            {
                started.Add(item.Id);
            }
        });
        return started.ToList();
    }

    /// <summary>
    /// Imports, trainings and RFP analyses keep the instance ids they always had; a re-score is one per outbox row; a
    /// platform operation's id was chosen when the request committed it (the status URL the request answered).
    /// </summary>
    internal static string InstanceId(WorkItem item) => item.Kind switch
    {
        _ when item.InstanceId is { } platformInstance => platformInstance,
        WorkKinds.LeadImport => $"import-{item.SubjectId:N}",
        WorkKinds.ModelTraining => $"train-{item.SubjectId:N}",
        WorkKinds.RfpAnalysis => $"rfp-{item.SubjectId:N}",
        WorkKinds.WorkflowRun or WorkKinds.WorkflowRunCancel or WorkKinds.WorkflowRunWake => $"workflow-run-{item.SubjectId:N}",
        Core.Privacy.SubjectRequests.SubjectRequestService.WorkKind => $"privacy-request-{item.SubjectId:N}",
        _ => $"work-{item.Id}",
    };

    /// <summary>
    /// Starts the current round of each delivery still pending, per tenant (its rows read under its row-level security).
    /// The instance id is the delivery's and round's: starting a round that already runs is not an error, and its first
    /// attempt is recorded once (the attempt step refuses one already recorded). A delivery that is no longer pending is
    /// done: its row goes without a start.
    /// </summary>
    private async Task<IReadOnlyList<long>> StartWebhookDeliveriesAsync(IReadOnlyList<WorkItem> items, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return [];
        }

        if (webhooks is null)
        {
            logger.LogWarning("{Count} webhook delivery work items left for a host that can start them", items.Count);
            return [];
        }

        var started = new List<long>();
        var durable = new DurableWebhookDeliveryStarter(client);
        foreach (var tenant in items.GroupBy(item => item.TenantId))
        {
            try
            {
                var starts = await webhooks.PendingStartsAsync(tenant.Key, tenant.Select(item => item.SubjectId).ToList(), cancellationToken);
                if (starts.Count > 0)
                {
                    await durable.StartAsync(starts, cancellationToken);
                }

                started.AddRange(tenant.Select(item => item.Id));
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Could not start {Count} webhook delivery work items; they are retried after their claim runs out", tenant.Count());
            }
        }

        return started;
    }

    private async Task<bool> TryStartAsync(WorkItem item, CancellationToken cancellationToken)
    {
        if (item is { IsPlatform: true, Kind: PlatformWorkKinds.BillingRun })
        {
            try
            {
                // A run that exists is left alone, a failed one is started again: the provider's "run now" as it always was.
                await Billing.BillingRunLauncher.StartOnceAsync(client, PlatformOperations.ReadInput<Core.Billing.Cycle.BillingRunRequest>(item), cancellationToken);
                return true;
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Could not start platform operation {WorkId} ({Kind}); it is retried after its claim runs out", item.Id, item.Kind);
                return false;
            }
        }

        if (item.Kind is WorkKinds.WorkflowRunCancel or WorkKinds.WorkflowRunWake)
        {
            return await Workflows.WorkflowRunSignals.TrySendAsync(client, item.Kind, InstanceId(item), logger, cancellationToken);
        }

        var (name, input) = item.Kind switch
        {
            PlatformWorkKinds.Backup when item.IsPlatform => (TaskNames.DatabaseBackup, (object)PlatformOperations.ReadInput<Backups.BackupOrchestrationInput>(item)),
            PlatformWorkKinds.Restore when item.IsPlatform => (TaskNames.DatabaseRestore, PlatformOperations.ReadInput<Backups.RestoreOrchestrationInput>(item)),
            PlatformWorkKinds.SelfTest when item.IsPlatform => (TaskNames.PlatformSelfTest, PlatformOperations.ReadInput<Diagnostics.PlatformSelfTestInput>(item)),
            PlatformWorkKinds.KeyRotation when item.IsPlatform => (TaskNames.KeyRotation, PlatformOperations.ReadInput<Privacy.KeyRotationRun>(item)),
            WorkKinds.LeadAiRescore => (TaskNames.LeadScoring, new LeadScoringInput(item.TenantId, item.SubjectId)),
            WorkKinds.LeadImport => (TaskNames.LeadImport, new LeadImportInput(item.TenantId, item.SubjectId)),
            WorkKinds.ModelTraining => (TaskNames.ModelTraining, (object)new ModelTrainingInput(item.TenantId, item.SubjectId)),
            WorkKinds.RfpAnalysis => (TaskNames.RfpAnalysis, new RfpAnalysisInput(item.TenantId, item.SubjectId)),
            WorkKinds.WorkflowRun => (TaskNames.WorkflowRun, new Workflows.WorkflowRunInput(item.TenantId, item.SubjectId)),
            Core.Privacy.SubjectRequests.SubjectRequestService.WorkKind => (TaskNames.SubjectRequest, new Privacy.SubjectRequestRun(item.TenantId, item.SubjectId)),
            _ when FieldWorkKinds.All.Contains(item.Kind) =>
                (TaskNames.FieldDayReplan, new FieldOps.FieldDayReplanInput(item.TenantId, item.SubjectId, FieldWorkKinds.Reason(item.Kind))),
            _ => ((string?)null, (object?)null),
        };
        if (name is null)
        {
            // Written by a newer version of the app during a rolling deployment: left for a host that knows the kind.
            logger.LogWarning("Outbox work item {WorkId} has the unknown kind {Kind}; left for another host", item.Id, item.Kind);
            return false;
        }

        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(name, input, new StartOrchestrationOptions(InstanceId(item)), cancellationToken);
            return true;
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (await client.GetInstanceAsync(InstanceId(item), getInputsAndOutputs: false, cancellationToken) is not null)
                {
                    return true;
                }
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // The backend is down: the item keeps its claim and is tried again when it runs out.
            }

            logger.LogWarning(exception, "Could not start outbox work item {WorkId} ({Kind}); it is retried after its claim runs out", item.Id, item.Kind);
            return false;
        }
    }
}
