using System.Text.Json;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Outbox;
using StreamFlow.Core.Settings;

namespace StreamFlow.Core.Workflows;

/// <summary>
/// What a claim's batch start did: the runs it settled (skipped, waiting on the database's wake scheduler, or handed to
/// the work outbox: the claim is done with them) and the runs it began whose leading steps act, with their steps, for
/// the claiming host to take one by one.
/// </summary>
public sealed record WorkflowBatchStart(IReadOnlySet<Guid> Settled, IReadOnlyDictionary<Guid, WorkflowStep[]> BegunWithActions)
{
    public static readonly WorkflowBatchStart None = new(new HashSet<Guid>(), new Dictionary<Guid, WorkflowStep[]>());
}

/// <summary>
/// Begins the fresh runs of one business in a claim together, in one transaction, instead of three or four per run: the
/// loop limit and the trigger's conditions of every run, then, where the first step is a wait (minutes, business
/// minutes or until) or a branch, that step as well: the wait planned and given to the wake scheduler when short, or
/// the run handed to the work outbox. The run log reads as if each run had been begun alone
/// (<see cref="WorkflowRunner.StartAsync"/>). Only runs still queued with nothing logged are taken (locked in id order):
/// a run begun before, by a host that died, is resumed from its log one by one, and a run cancelled meanwhile is left alone.
/// </summary>
public sealed class WorkflowBatchStarter(
    StreamFlowDatabase database, LeadService leads, WorkOutbox workOutbox, IOptions<WorkflowOptions> options, TimeProvider timeProvider)
{
    public Task<WorkflowBatchStart> StartAsync(Guid tenantId, Guid[] runIds, CancellationToken cancellationToken) =>
        database.InTenantBatchedAsync(tenantId, async scope =>
        {
            var fresh = await WorkflowRunStore.LockFreshAsync(scope, runIds);
            if (fresh.Count == 0)
            {
                return WorkflowBatchStart.None;
            }

            var settings = await TenantSettingsService.ReadAsync(scope);
            var runs = fresh.Select(r => (Run: r, Workflow: JsonSerializer.Deserialize<WorkflowDefinition>(r.Definition, StreamFlowJson.Options)!)).ToList();
            var maxDepth = options.Value.MaxDepth;
            var checkedRuns = runs.Where(r => r.Run.Depth <= maxDepth && r.Workflow.Conditions?.Rules is { Count: > 0 }).ToList();
            var payloads = await WorkflowRunStore.EventPayloadsAsync(scope,
                [.. checkedRuns.Select(r => r.Run.TriggerKey).Where(k => k.StartsWith("msg_", StringComparison.Ordinal)).Distinct()]);
            var leadStates = await leads.GetManyAsync(tenantId, [.. checkedRuns.Where(r => r.Run.LeadId is not null).Select(r => r.Run.LeadId!.Value).Distinct()], cancellationToken);

            var now = timeProvider.GetUtcNow();
            var begun = new BegunRuns();
            var waits = new PlannedWaits();
            var handOver = new List<Guid>();
            var settled = new HashSet<Guid>();
            var withActions = new Dictionary<Guid, WorkflowStep[]>();
            foreach (var (run, workflow) in runs)
            {
                if (run.Depth > maxDepth)
                {
                    begun.Add(run.Id, null, null, "skipped", WorkflowRunner.LoopLimitReason(run.Depth, maxDepth));
                    settled.Add(run.Id);
                    continue;
                }

                var (holds, checks) = workflow.Conditions?.Rules is { Count: > 0 }
                    ? WorkflowConditionEvaluator.Check(workflow.Conditions, new ConditionContext(
                        JsonDocument.Parse(payloads.GetValueOrDefault(run.TriggerKey) ?? "{}").RootElement,
                        run.LeadId is { } leadId && leadStates.TryGetValue(leadId, out var lead) ? JsonSerializer.SerializeToElement(lead, StreamFlowJson.Options) : null,
                        settings.Calendar(), now))
                    : (true, (IReadOnlyList<ConditionCheck>)[]);
                begun.Add(run.Id, WorkflowRunner.ConditionsInput(workflow.Conditions), WorkflowRunner.ConditionsResult(holds, checks),
                    holds ? "running" : "skipped", holds ? null : WorkflowRunner.ConditionsDidNotHold);
                var steps = workflow.Steps?.ToArray() ?? [];
                switch (holds ? steps.FirstOrDefault() : null)
                {
                    case null when !holds:
                        settled.Add(run.Id);
                        break;
                    case { Type: "wait", UntilDate: null } wait:
                        var due = WorkflowRunner.WaitDue(wait, settings, now, null, options.Value.MinuteLength);
                        var (input, result) = WorkflowRunner.WaitLog(wait, due);
                        var carried = WorkflowRunner.IsCarried(wait, due, now, options.Value.ShortWaitHorizon);
                        waits.Add(run.Id, input, result, due, carried);
                        if (!carried)
                        {
                            handOver.Add(run.Id);
                        }

                        settled.Add(run.Id);
                        break;
                    case { Type: "branch" }:
                        handOver.Add(run.Id);
                        settled.Add(run.Id);
                        break;
                    default:
                        withActions[run.Id] = steps;
                        break;
                }
            }

            await WorkflowRunStore.BeginManyAsync(scope, tenantId, begun.Ids, begun.Inputs, begun.Results, begun.Statuses, begun.Reasons, now);
            if (waits.Ids.Count > 0)
            {
                await WorkflowRunStore.PlanFirstWaitsAsync(scope, tenantId, waits.Ids, waits.Inputs, waits.Results, waits.DueAts, waits.Carried, now);
            }

            await workOutbox.AddManyAsync(scope, tenantId, WorkKinds.WorkflowRun, handOver);
            await WorkflowRunStore.MarkHandedOverAsync(scope, [.. settled], now);
            return new WorkflowBatchStart(settled, withActions);
        }, cancellationToken);

    private sealed class BegunRuns
    {
        public List<Guid> Ids { get; } = [];
        public List<string?> Inputs { get; } = [];
        public List<string?> Results { get; } = [];
        public List<string> Statuses { get; } = [];
        public List<string?> Reasons { get; } = [];

        public void Add(Guid id, string? input, string? result, string status, string? reason)
        {
            Ids.Add(id);
            Inputs.Add(input);
            Results.Add(result);
            Statuses.Add(status);
            Reasons.Add(reason);
        }
    }

    private sealed class PlannedWaits
    {
        public List<Guid> Ids { get; } = [];
        public List<string> Inputs { get; } = [];
        public List<string> Results { get; } = [];
        public List<DateTimeOffset> DueAts { get; } = [];
        public List<bool> Carried { get; } = [];

        public void Add(Guid id, string input, string result, DateTimeOffset dueAt, bool carried)
        {
            Ids.Add(id);
            Inputs.Add(input);
            Results.Add(result);
            DueAts.Add(dueAt);
            Carried.Add(carried);
        }
    }
}
