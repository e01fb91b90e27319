using System.Collections.Concurrent;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.FieldOps.Technicians;
using StreamFlow.Core.Outbox;
using StreamFlow.Orchestrations.Leads;
using StreamFlow.Orchestrations.Rfps;
using StreamFlow.Orchestrations.Scoring;

namespace StreamFlow.Orchestrations.Outbox;

/// <summary>
/// Starts the orchestration of each outbox work item through a durable client, several at a time. The instance id is
/// the outbox row's, so a row started again after a dispatcher died (its removal lost) finds its instance already there.
/// </summary>
public sealed class DurableWorkStarter(DurableTaskClient client, ILogger logger) : IWorkStarter
{
    private const int Parallelism = 16;

    public async Task<IReadOnlyList<long>> StartAsync(IReadOnlyList<WorkItem> items, CancellationToken cancellationToken)
    {
        var started = new ConcurrentBag<long>();
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (item, token) =>
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
        WorkKinds.WorkflowRun => $"workflow-run-{item.SubjectId:N}",
        Core.Privacy.SubjectRequests.SubjectRequestService.WorkKind => $"privacy-request-{item.SubjectId:N}",
        _ => $"work-{item.Id}",
    };

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

        var (name, input) = item.Kind switch
        {
            PlatformWorkKinds.Backup when item.IsPlatform => (TaskNames.DatabaseBackup, (object)PlatformOperations.ReadInput<Backups.BackupOrchestrationInput>(item)),
            PlatformWorkKinds.Restore when item.IsPlatform => (TaskNames.DatabaseRestore, PlatformOperations.ReadInput<Backups.RestoreOrchestrationInput>(item)),
            PlatformWorkKinds.SelfTest when item.IsPlatform => (TaskNames.PlatformSelfTest, PlatformOperations.ReadInput<Diagnostics.PlatformSelfTestInput>(item)),
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
