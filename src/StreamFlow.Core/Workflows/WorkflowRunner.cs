using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;
using StreamFlow.Core.Email;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Scoring;
using StreamFlow.Core.Settings;
using StreamFlow.Core.Tasks;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Core.Workflows;

/// <summary>
/// What a workflow run's activities do: begin (pin the version, check the depth and the conditions), plan a wait, check a
/// wait's or a branch's condition against the current state, take one step, and finish or fail the run. Every step is
/// written to the run log with its input and result; a step already logged as done is not done again when an activity
/// is retried. Steps act through the services a person would use (leads, tasks, email), as <c>workflow:&lt;id&gt;</c>,
/// with <see cref="CausationDepth"/> set so that the events they cause queue runs one level deeper.
/// </summary>
public sealed class WorkflowRunner(
    StreamFlowDatabase database,
    LeadService leads,
    TaskService tasks,
    EmailSender email,
    WebhookOutbox outbox,
    IOptions<WorkflowOptions> options,
    TimeProvider timeProvider,
    ILogger<WorkflowRunner> logger)
{
    private static readonly string[] DefaultAssignRoles = ["staff", "manager"];
    private static readonly TimeSpan EarlyWakeUpSleep = TimeSpan.FromSeconds(5);
    private const string NotTakenPrefix = "Not taken: ";
    private const string Gone = "the run no longer exists (deleted by the retention).";

    /// <summary>Whether a step's result says the run is over (cancelled, or deleted): the orchestration ends without taking anything more.</summary>
    public static bool IsNotTaken(string? result) => result?.StartsWith(NotTakenPrefix, StringComparison.Ordinal) == true;

    /// <summary>Starts a run: its pinned steps, or nothing when it is finished already, too deep, or its conditions do not hold.</summary>
    public async Task<WorkflowRunPlan> BeginAsync(Guid tenantId, Guid runId, CancellationToken cancellationToken)
    {
        // One transaction: the run, its version's definition, and whether it was begun already.
        var (run, definition, begun) = await database.InTenantAsync(tenantId, async scope =>
        {
            var row = await WorkflowRunStore.GetAsync(scope, runId);
            return row is null
                ? (null, null, null)
                : (row, await WorkflowRunStore.DefinitionAsync(scope, row.WorkflowId, row.Version), await WorkflowRunStore.StepAsync(scope, runId, "conditions"));
        }, cancellationToken);
        if (run is null || definition is null)
        {
            logger.LogInformation("Workflow run {RunId} or its workflow version no longer exists; the orchestration ends", runId);
            return new WorkflowRunPlan(false, "The run or its workflow version no longer exists.", []);
        }

        if (run.Status is "completed" or "skipped" or "failed" or "cancelled")
        {
            return new WorkflowRunPlan(false, $"The run is {run.Status} already.", []);
        }

        var workflow = JsonSerializer.Deserialize<WorkflowDefinition>(definition, StreamFlowJson.Options)!;
        var now = timeProvider.GetUtcNow();
        if (run.Depth > options.Value.MaxDepth)
        {
            var reason = LoopLimitReason(run.Depth, options.Value.MaxDepth);
            await FinishAsync(tenantId, runId, "skipped", reason, cancellationToken);
            return new WorkflowRunPlan(false, reason, []);
        }

        // Begun already (in process, before the hand-over to the durable engine): the first check stands, since the run's
        // own first steps may have changed what the conditions read.
        if (begun is { Status: "done" })
        {
            var held = JsonDocument.Parse(begun.Result ?? "{}").RootElement.TryGetProperty("holds", out var logged) && logged.ValueKind == JsonValueKind.True;
            return held
                ? new WorkflowRunPlan(true, null, [.. workflow.Steps ?? []], Math.Max(1, options.Value.StepAttempts), options.Value.ConditionPollInterval,
                    await PlannedWaitsAsync(tenantId, runId, cancellationToken))
                : new WorkflowRunPlan(false, ConditionsDidNotHold, []);
        }

        // Without rules there is nothing to read: the event and the lead are not fetched.
        var (holds, checks) = workflow.Conditions?.Rules is { Count: > 0 }
            ? WorkflowConditionEvaluator.Check(workflow.Conditions, await ContextAsync(tenantId, run, cancellationToken))
            : (true, (IReadOnlyList<ConditionCheck>)[]);
        await database.InTenantAsync(tenantId, async scope =>
        {
            await WorkflowRunStore.RecordStepAsync(scope, tenantId, runId, "conditions", "conditions", ConditionsInput(workflow.Conditions),
                "done", ConditionsResult(holds, checks), now);
            await WorkflowRunStore.SetStatusAsync(scope, runId, holds ? "running" : "skipped", holds ? null : ConditionsDidNotHold, now);
            return true;
        }, cancellationToken);
        return holds
            ? new WorkflowRunPlan(true, null, [.. workflow.Steps ?? []], Math.Max(1, options.Value.StepAttempts), options.Value.ConditionPollInterval)
            : new WorkflowRunPlan(false, ConditionsDidNotHold, []);
    }

    internal const string ConditionsDidNotHold = "The trigger's conditions did not hold.";

    internal static string LoopLimitReason(int depth, int maxDepth) =>
        $"Loop limit: this run was caused by {depth} automated steps in a row (at most {maxDepth}).";

    /// <summary>The conditions step's log input and result, as every host writes them.</summary>
    internal static string ConditionsInput(WorkflowConditions? conditions) => Serialize(conditions ?? new WorkflowConditions("all", []));

    internal static string ConditionsResult(bool holds, IReadOnlyList<ConditionCheck> checks) => JsonSerializer.Serialize(new { holds, checks }, StreamFlowJson.Options);

    /// <summary>The due times of the waits planned in process (logged as waiting), which the orchestration keeps without planning them again.</summary>
    private async Task<Dictionary<string, DateTimeOffset>?> PlannedWaitsAsync(Guid tenantId, Guid runId, CancellationToken cancellationToken)
    {
        var planned = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var step in await database.InTenantAsync(tenantId, scope => WorkflowRunStore.StepsAsync(scope, runId), cancellationToken))
        {
            if (step is { Type: "wait", Status: "waiting" } && JsonDocument.Parse(step.Input).RootElement.TryGetProperty("dueAt", out var due)
                && due.ValueKind == JsonValueKind.String)
            {
                planned[step.Path] = due.GetDateTimeOffset();
            }
        }

        return planned.Count > 0 ? planned : null;
    }

    /// <summary>
    /// Takes a run's leading steps here and now, before the durable engine sees the run: begins it, then takes its steps
    /// (<see cref="TakeStepsFromAsync"/>). A failing step is not logged here: the orchestration owns retries, so the
    /// attempts a run log shows are its own.
    /// </summary>
    public async Task<WorkflowRunProgress> StartAsync(Guid tenantId, Guid runId, CancellationToken cancellationToken)
    {
        var plan = await BeginAsync(tenantId, runId, cancellationToken);
        return plan.Proceed ? await TakeStepsFromAsync(tenantId, runId, plan.Steps, 0, cancellationToken) : WorkflowRunProgress.Ended;
    }

    /// <summary>Takes the leading steps of a run begun together with its claim (<see cref="WorkflowBatchStarter"/>), as <see cref="StartAsync"/> does after beginning it.</summary>
    public Task<WorkflowRunProgress> ContinueStartAsync(Guid tenantId, Guid runId, WorkflowStep[] steps, CancellationToken cancellationToken) =>
        TakeStepsFromAsync(tenantId, runId, steps, 0, cancellationToken);

    /// <summary>
    /// The wake scheduler's part once a database-carried wait at <paramref name="path"/> (a top-level step) is due: ends
    /// the wait by this host's clock, then takes the steps after it as <see cref="StartAsync"/> does. A wait or step
    /// logged as done already (a host that died after it) is not done again.
    /// </summary>
    public async Task<WorkflowRunProgress> ResumeAfterWaitAsync(Guid tenantId, Guid runId, string path, CancellationToken cancellationToken)
    {
        var (run, definition, wait) = await database.InTenantAsync(tenantId, async scope =>
        {
            var row = await WorkflowRunStore.GetAsync(scope, runId);
            return row is null
                ? (null, null, null)
                : (row, await WorkflowRunStore.DefinitionAsync(scope, row.WorkflowId, row.Version), await WorkflowRunStore.StepAsync(scope, runId, path));
        }, cancellationToken);
        if (run is null || definition is null || run.Status is "completed" or "skipped" or "failed" or "cancelled")
        {
            return WorkflowRunProgress.Ended;
        }

        var steps = JsonSerializer.Deserialize<WorkflowDefinition>(definition, StreamFlowJson.Options)!.Steps ?? [];
        if (!TryTopLevelIndex(path, out var index) || index >= steps.Count || steps[index].Type != "wait" || wait is null
            || !JsonDocument.Parse(wait.Input).RootElement.TryGetProperty("dueAt", out var dueAt) || dueAt.ValueKind != JsonValueKind.String)
        {
            return WorkflowRunProgress.HandOver;
        }

        if (wait.Status != "done")
        {
            var due = dueAt.GetDateTimeOffset();
            var now = timeProvider.GetUtcNow();
            if (due > now)
            {
                return WorkflowRunProgress.WaitScheduled;
            }

            await database.InTenantAsync(tenantId, async scope =>
            {
                await WorkflowRunStore.RecordStepAsync(scope, tenantId, runId, path, "wait", wait.Input, "done",
                    $"Waited until {due.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)}.", now);
                return true;
            }, cancellationToken);
        }

        return await TakeStepsFromAsync(tenantId, runId, [.. steps], index + 1, cancellationToken);
    }

    /// <summary>
    /// Takes the top-level steps from <paramref name="first"/> in order: actions here; a wait is planned here (its due
    /// time logged) and, when it has no condition and is due within <see cref="WorkflowOptions.ShortWaitHorizon"/>, given
    /// to the database's wake scheduler in the same breath; a longer or conditional wait, a branch, a date wait that stops
    /// the run and a failing step go to the durable orchestration, which replays the log without taking a step twice.
    /// Every step done: the run is completed here.
    /// </summary>
    private async Task<WorkflowRunProgress> TakeStepsFromAsync(Guid tenantId, Guid runId, WorkflowStep[] steps, int first, CancellationToken cancellationToken)
    {
        for (var i = first; i < steps.Length; i++)
        {
            var step = steps[i];
            var path = $"steps[{i}]";
            switch (step.Type)
            {
                case "wait":
                    // Planned here, so that the first step follows the event at the database's speed. Its end is checked
                    // against this host's clock (EndWaitAsync), so a timer delivered early does not end it early.
                    var plan = await PlanWaitAsync(tenantId, runId, path, step, cancellationToken, carryShortWait: true);
                    return IsNotTaken(plan.Stop) ? WorkflowRunProgress.Ended : plan.Carried ? WorkflowRunProgress.WaitScheduled : WorkflowRunProgress.HandOver;
                case "branch":
                    return WorkflowRunProgress.HandOver;
                default:
                    switch (await TryStepAsync(tenantId, runId, path, step, cancellationToken))
                    {
                        case null:
                            return WorkflowRunProgress.HandOver;
                        case var result when IsNotTaken(result):
                            return WorkflowRunProgress.Ended;
                    }

                    break;
            }
        }

        await FinishAsync(tenantId, runId, "completed", null, cancellationToken);
        return WorkflowRunProgress.Ended;
    }

    private static bool TryTopLevelIndex(string path, out int index)
    {
        index = -1;
        return path.StartsWith("steps[", StringComparison.Ordinal) && path.EndsWith(']')
            && int.TryParse(path.AsSpan(6, path.Length - 7), NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }

    /// <summary>
    /// The due time of a wait, logged as waiting. Minutes and business minutes run on <see cref="WorkflowOptions.MinuteLength"/>
    /// (business minutes through the business's calendar); an until time, and an untilDate's date moved by its days, are taken
    /// as they are. A date wait whose field is empty stops the run (logged). Planned once: a retry reads the first plan.
    /// </summary>
    /// <param name="carryShortWait">A host planning in process: a wait without a condition due within
    /// <see cref="WorkflowOptions.ShortWaitHorizon"/> is given to the database's wake scheduler in the same transaction.</param>
    public async Task<WorkflowWaitPlan> PlanWaitAsync(
        Guid tenantId, Guid runId, string path, WorkflowStep step, CancellationToken cancellationToken, bool carryShortWait = false)
    {
        // A date wait reads the event and the lead as they are when the wait starts (a date changed later does not move it).
        DateTimeOffset? dated = null;
        if (step.UntilDate is { } untilDate
            && await database.InTenantAsync(tenantId, scope => WorkflowRunStore.GetAsync(scope, runId), cancellationToken) is { } run)
        {
            dated = WorkflowDates.Due(untilDate, await ContextAsync(tenantId, run, cancellationToken));
        }

        return await database.InTenantAsync(tenantId, async scope =>
        {
            // The workflow was deleted while the run was in flight (or the run since): no wait starts, the run stops here.
            switch (await WorkflowRunStore.GetAsync(scope, runId))
            {
                case null:
                    logger.LogInformation("Workflow run {RunId} no longer exists; its wait at {Path} does not start", runId, path);
                    return new WorkflowWaitPlan(timeProvider.GetUtcNow(), NotTakenPrefix + Gone);
                case { Status: "cancelled" } cancelled:
                    return new WorkflowWaitPlan(timeProvider.GetUtcNow(), NotTakenPrefix + (cancelled.Reason ?? "the run was cancelled."));
            }

            if (await WorkflowRunStore.StepAsync(scope, runId, path) is { } planned)
            {
                var recorded = JsonDocument.Parse(planned.Input).RootElement;
                if (recorded.TryGetProperty("stop", out var stop) && stop.ValueKind == JsonValueKind.String)
                {
                    return new WorkflowWaitPlan(planned.StartedAt, stop.GetString());
                }

                if (recorded.TryGetProperty("dueAt", out var recordedDue) && recordedDue.ValueKind == JsonValueKind.String)
                {
                    return await CarryIfShortAsync(scope, new WorkflowWaitPlan(recordedDue.GetDateTimeOffset()));
                }
            }

            var now = timeProvider.GetUtcNow();
            if (step.UntilDate is { } emptyDate && dated is null)
            {
                var reason = $"{emptyDate.Field} is empty or not a date: the run stops at {path}.";
                await WorkflowRunStore.RecordStepAsync(scope, tenantId, runId, path, "wait",
                    JsonSerializer.Serialize(new { step.UntilDate, stop = reason }, StreamFlowJson.Options), "done", reason, now);
                return new WorkflowWaitPlan(now, reason);
            }

            var due = WaitDue(step, await TenantSettingsService.ReadAsync(scope), now, dated, options.Value.MinuteLength);
            var (input, result) = WaitLog(step, due);
            await WorkflowRunStore.RecordStepAsync(scope, tenantId, runId, path, "wait", input, "waiting", result, now);
            return await CarryIfShortAsync(scope, new WorkflowWaitPlan(due));
        }, cancellationToken);

        async Task<WorkflowWaitPlan> CarryIfShortAsync(DbTransactionScope scope, WorkflowWaitPlan plan)
        {
            if (!carryShortWait || !IsCarried(step, plan.DueAt, timeProvider.GetUtcNow(), options.Value.ShortWaitHorizon))
            {
                return plan;
            }

            await WorkflowRunStore.ScheduleWakeAsync(scope, runId, path, plan.DueAt, timeProvider.GetUtcNow());
            return plan with { Carried = true };
        }
    }

    /// <summary>
    /// A wait's due time: minutes and business minutes (through the business's calendar) on <paramref name="minuteLength"/>;
    /// an until time, and a date wait's date (<paramref name="dated"/>), as they are.
    /// </summary>
    internal static DateTimeOffset WaitDue(WorkflowStep step, TenantSettings settings, DateTimeOffset now, DateTimeOffset? dated, TimeSpan minuteLength) =>
        dated ?? step.Until ?? now + ((step.BusinessMinutes is { } business
            ? settings.Calendar().AddBusinessMinutes(now, business)
            : now.AddMinutes(step.Minutes ?? 0)) - now) * (minuteLength / TimeSpan.FromMinutes(1));

    /// <summary>A planned wait's log input (with its <c>dueAt</c>) and result, as every host writes them.</summary>
    internal static (string Input, string Result) WaitLog(WorkflowStep step, DateTimeOffset due) => (
        JsonSerializer.Serialize(new { step.Minutes, step.BusinessMinutes, step.Until, step.UntilDate, step.UntilCondition, dueAt = due }, StreamFlowJson.Options),
        $"Waits until {due.ToString("O", CultureInfo.InvariantCulture)}"
        + (step.UntilDate is { } described ? $" ({WorkflowDates.Describe(described)})" : "")
        + (step.UntilCondition is null ? "." : " or until its condition holds."));

    /// <summary>Whether the database's wake scheduler carries a wait planned now: no condition, due within the horizon.</summary>
    internal static bool IsCarried(WorkflowStep step, DateTimeOffset due, DateTimeOffset now, TimeSpan horizon) =>
        step.UntilCondition is null && horizon > TimeSpan.Zero && due - now <= horizon;

    /// <summary>Whether <paramref name="conditions"/> hold now; a branch's check (<paramref name="log"/>) is written to the run log.</summary>
    public async Task<bool> CheckAsync(Guid tenantId, Guid runId, string path, WorkflowConditions? conditions, bool log, CancellationToken cancellationToken)
    {
        var run = await database.InTenantAsync(tenantId, scope => WorkflowRunStore.GetAsync(scope, runId), cancellationToken);
        if (run is null || run.Status == "cancelled")
        {
            // A cancelled (or deleted) run leaves a conditional wait at once; nothing after it is taken or logged.
            logger.LogInformation("Workflow run {RunId} is cancelled or no longer exists; {Path} leaves its wait without acting", runId, path);
            return true;
        }

        var (holds, checks) = WorkflowConditionEvaluator.Check(conditions, await ContextAsync(tenantId, run, cancellationToken));
        if (log)
        {
            var now = timeProvider.GetUtcNow();
            await database.InTenantAsync(tenantId, async scope =>
            {
                await WorkflowRunStore.RecordStepAsync(scope, tenantId, runId, path, "branch", Serialize(conditions),
                    "done", JsonSerializer.Serialize(new { holds, checks }, StreamFlowJson.Options), now);
                return true;
            }, cancellationToken);
        }

        return holds;
    }

    /// <summary>
    /// Marks a logged step (a wait) done with its outcome. <paramref name="atDueTime"/>: the wait ends because its timer
    /// fired, which the storage backend may do early while the orchestration's clock already reads the due time; this
    /// host's clock decides: up to <see cref="EarlyWakeUpSleep"/> early, the rest is slept out here; earlier, the wait
    /// stays open (false) for the orchestration to wait again.
    /// </summary>
    public async Task<bool> EndWaitAsync(Guid tenantId, Guid runId, string path, string outcome, bool atDueTime, CancellationToken cancellationToken)
    {
        var (run, step) = await database.InTenantAsync(tenantId, async scope =>
            (await WorkflowRunStore.GetAsync(scope, runId), await WorkflowRunStore.StepAsync(scope, runId, path)), cancellationToken);
        if (run is null or { Status: "cancelled" })
        {
            // Nothing after the cancellation is logged; the next step finds the run over and the orchestration ends.
            logger.LogInformation("Workflow run {RunId} is cancelled or no longer exists; its wait at {Path} ends unlogged", runId, path);
            return true;
        }

        if (step is { Status: "done" })
        {
            // Ended already (by the wake scheduler before a hand-over, or a retried activity): its log stands.
            return true;
        }

        if (atDueTime && step is not null && JsonDocument.Parse(step.Input).RootElement.TryGetProperty("dueAt", out var due)
            && due.ValueKind == JsonValueKind.String)
        {
            var early = due.GetDateTimeOffset() - timeProvider.GetUtcNow();
            if (early > EarlyWakeUpSleep)
            {
                return false;
            }

            if (early > TimeSpan.Zero)
            {
                await Task.Delay(early + TimeSpan.FromMilliseconds(1), timeProvider, cancellationToken);
            }
        }

        return await database.InTenantAsync(tenantId, async scope =>
        {
            await WorkflowRunStore.RecordStepAsync(scope, tenantId, runId, path, "wait", step?.Input ?? "{}", "done", outcome, timeProvider.GetUtcNow());
            return true;
        }, cancellationToken);
    }

    /// <summary>Takes one step and logs it; a step logged as done already answers its logged result. A failure is logged and thrown (the orchestration retries).</summary>
    public Task<string> RunStepAsync(Guid tenantId, Guid runId, string path, WorkflowStep step, CancellationToken cancellationToken) =>
        TakeStepAsync(tenantId, runId, path, step, logFailure: true, cancellationToken);

    /// <summary>The step's result, or null when it failed (not logged: the orchestration retries it).</summary>
    private async Task<string?> TryStepAsync(Guid tenantId, Guid runId, string path, WorkflowStep step, CancellationToken cancellationToken)
    {
        try
        {
            return await TakeStepAsync(tenantId, runId, path, step, logFailure: false, cancellationToken);
        }
        catch (WorkflowStepException)
        {
            return null;
        }
    }

    private async Task<string> TakeStepAsync(Guid tenantId, Guid runId, string path, WorkflowStep step, bool logFailure, CancellationToken cancellationToken)
    {
        var (run, logged, name) = await database.InTenantAsync(tenantId, async scope =>
        {
            var row = await WorkflowRunStore.GetAsync(scope, runId);
            return row is null ? ((WorkflowRunRow?)null, (WorkflowRunStepRow?)null, (string?)null) : (row, await WorkflowRunStore.StepAsync(scope, runId, path), await WorkflowRunStore.WorkflowNameAsync(scope, row.WorkflowId));
        }, cancellationToken);
        if (run is null)
        {
            logger.LogInformation("Workflow run {RunId} no longer exists; {Path} is not taken and the orchestration ends", runId, path);
            return NotTakenPrefix + Gone;
        }

        if (logged is { Status: "done" })
        {
            return logged.Result ?? "";
        }

        if (run.Status == "cancelled")
        {
            return NotTakenPrefix + run.Reason;
        }

        var input = Serialize(step);
        string result;
        try
        {
            using (CausationDepth.Enter(run.Depth + 1))
            {
                result = await TakeAsync(tenantId, run, name ?? "workflow", path, step, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            var message = exception is WorkflowStepException ? exception.Message : $"The step failed: {exception.GetType().Name}.";
            logger.LogWarning(exception, "Workflow run {RunId} step {Path} ({Type}) failed", runId, path, step.Type);
            if (!logFailure)
            {
                throw new WorkflowStepException(message);
            }

            await database.InTenantAsync(tenantId, async scope =>
            {
                await WorkflowRunStore.RecordStepAsync(scope, tenantId, runId, path, step.Type!, input, "failed", message, timeProvider.GetUtcNow());
                return true;
            }, CancellationToken.None);
            throw new WorkflowStepException(message);
        }

        await database.InTenantAsync(tenantId, async scope =>
        {
            await WorkflowRunStore.RecordStepAsync(scope, tenantId, runId, path, step.Type!, input, "done", result, timeProvider.GetUtcNow());
            return true;
        }, cancellationToken);
        return result;
    }

    /// <summary>
    /// Ends a run as completed, skipped or failed (a failed run emails the business's owners, once). A completed or failed
    /// run publishes <c>workflow.run.completed</c> or <c>workflow.run.failed</c> in the transaction that ends it, one level
    /// deeper than the run, so a workflow triggered by run events is held by the loop limit like any other.
    /// </summary>
    public async Task FinishAsync(Guid tenantId, Guid runId, string status, string? reason, CancellationToken cancellationToken)
    {
        var depth = (await database.InTenantAsync(tenantId, scope => WorkflowRunStore.GetAsync(scope, runId), cancellationToken))?.Depth ?? 0;
        using var causation = CausationDepth.Enter(depth + 1);
        var (changed, owners, name, run) = await database.InTenantAsync(tenantId, async scope =>
        {
            var current = await WorkflowRunStore.LockAsync(scope, runId);
            if (current is null || current.Status is "completed" or "skipped" or "failed" or "cancelled")
            {
                return (false, (IReadOnlyList<string>)[], (string?)null, current);
            }

            var now = timeProvider.GetUtcNow();
            await WorkflowRunStore.SetStatusAsync(scope, runId, status, reason, now);
            var workflowName = await WorkflowRunStore.WorkflowNameAsync(scope, current.WorkflowId);
            if (status is "completed" or "failed")
            {
                var ended = await WorkflowRunStore.GetAsync(scope, runId);
                await outbox.AddAsync(scope, tenantId, status == "completed" ? WebhookEventCatalog.WorkflowRunCompleted : WebhookEventCatalog.WorkflowRunFailed,
                    new WorkflowRunEvent(runId, current.WorkflowId, workflowName ?? "", current.Version, current.TriggerKey, current.EventType, current.LeadId, current.Depth,
                        status, ended?.Reason ?? reason, current.QueuedAt, ended?.StartedAt ?? current.StartedAt, ended?.FinishedAt ?? now), now, cancellationToken);
            }

            return (true, status == "failed" ? await WorkflowRunStore.OwnerEmailsAsync(scope) : [], workflowName, current);
        }, cancellationToken);
        if (!changed || status != "failed")
        {
            return;
        }

        logger.LogWarning("Workflow run {RunId} of workflow {WorkflowId} failed", runId, run!.WorkflowId);
        foreach (var owner in owners)
        {
            await email.SendAsync(new EmailMessage(owner, $"Workflow failed: {name}",
                $"The workflow \"{name}\" (version {run.Version}) failed and stopped.\n\n{reason}\n\nRun log: /api/v1/workflow-runs/{runId}\nWorkflow: /api/v1/workflows/{run.WorkflowId}\n",
                BrandTenantId: tenantId),
                cancellationToken);
        }
    }

    private async Task<string> TakeAsync(Guid tenantId, WorkflowRunRow run, string workflowName, string path, WorkflowStep step, CancellationToken cancellationToken)
    {
        var actor = $"workflow:{run.WorkflowId}";
        var lead = step.Type is "sendEmail" or "sendEvent" && run.LeadId is null ? null : await LeadAsync(tenantId, run, cancellationToken);
        var leadActor = new LeadActor(tenantId, actor, CanAssign: true);
        switch (step.Type)
        {
            case "setField":
                var fields = SetField(lead!, step.Field!, step.Value!.Value);
                Expect(await leads.UpdateAsync(leadActor, lead!.Id, new LeadUpdate(fields, null), cancellationToken));
                return $"Set {step.Field} to {step.Value.Value.GetRawText()}.";
            case "setStage":
                Expect(await leads.UpdateAsync(leadActor, lead!.Id, new LeadUpdate(Only(stage: step.Stage), null), cancellationToken));
                return $"Moved the lead from {lead.Stage} to {step.Stage}.";
            case "assign":
                var owner = await ChooseOwnerAsync(tenantId, lead!, step, cancellationToken);
                Expect(await leads.UpdateAsync(leadActor, lead!.Id, new LeadUpdate(Only(owner: owner), null), cancellationToken));
                return $"Assigned the lead to {owner} (was {(lead.OwnerUserId?.ToString() ?? "nobody")}; {step.Strategy}).";
            case "createTask":
                if (step.TaskTemplate is { } templateKey)
                {
                    var template = await database.InTenantAsync(tenantId, scope => TaskTemplateStore.FindAsync(scope, templateKey), cancellationToken)
                        ?? throw new WorkflowStepException($"The task template {templateKey} no longer exists.");
                    step = step with
                    {
                        Title = step.Title ?? template.Title, Priority = step.Priority ?? template.Priority,
                        DueInBusinessMinutes = step.DueInBusinessMinutes ?? template.DueInBusinessMinutes,
                    };
                }

                var assignee = step.Assignee is null or "recordOwner" ? lead!.OwnerUserId : Guid.Parse(step.Assignee);
                var due = step.DueInBusinessMinutes is { } minutes
                    ? (await database.InTenantAsync(tenantId, TenantSettingsService.ReadAsync, cancellationToken)).Calendar().AddBusinessMinutes(timeProvider.GetUtcNow(), minutes)
                    : (DateTimeOffset?)null;
                var priority = Enum.Parse<TaskPriority>(step.Priority ?? "normal", ignoreCase: true);
                var task = Expect(await tasks.CreateAsync(new TaskActor(tenantId, actor),
                    new TaskInput(step.Title, $"Created by the workflow \"{workflowName}\".", priority, assignee, due, null, lead?.Id, null), cancellationToken));
                return $"Created the {step.Priority ?? "normal"} task {task.Id}" + (assignee is { } user ? $" for {user}" : " (unassigned: the lead has no owner)") + ".";
            case "sendEmail":
                var recipients = await database.InTenantAsync(tenantId, async scope => step.To == "tenantOwners"
                    ? await WorkflowRunStore.OwnerEmailsAsync(scope)
                    : lead?.OwnerUserId is { } ownerId && await WorkflowRunStore.UserEmailAsync(scope, ownerId) is { } address ? [address] : [], cancellationToken);
                if (recipients.Count == 0)
                {
                    throw new WorkflowStepException(step.To == "tenantOwners" ? "The business has no active owner to email." : "The lead has no owner to email.");
                }

                var (subject, body) = WorkflowEmailTemplates.Render(step.Template!, lead, workflowName);
                foreach (var recipient in recipients)
                {
                    await email.SendAsync(new EmailMessage(recipient, subject, body, BrandTenantId: tenantId), cancellationToken);
                }

                return $"Emailed the template {step.Template} to {recipients.Count} recipient(s) ({step.To ?? "recordOwner"}).";
            case "sendEvent":
                // The event and the step's "done" commit together: a retried step finds itself done and sends nothing twice.
                var sentAs = await database.InTenantAsync(tenantId, async scope =>
                {
                    var now = timeProvider.GetUtcNow();
                    var id = await outbox.AddAsync(scope, tenantId, WebhookEventCatalog.WorkflowEvent,
                        new WorkflowOwnEvent(step.Event!, run.WorkflowId, workflowName, run.Id, lead?.Id, step.Data ?? EmptyObject, now), now, cancellationToken);
                    var sent = $"Sent the event {step.Event} (workflow.event {id}) to the business's subscribers.";
                    await WorkflowRunStore.RecordStepAsync(scope, tenantId, run.Id, path, step.Type!, Serialize(step), "done", sent, now);
                    return sent;
                }, cancellationToken);
                return sentAs;
            case "addNote":
                Expect(await leads.AddNoteAsync(leadActor, lead!.Id, step.Body, cancellationToken));
                return "Added the note to the lead.";
            default:
                throw new WorkflowStepException($"{step.Type} is not a step that acts.");
        }
    }

    private async Task<Guid> ChooseOwnerAsync(Guid tenantId, Lead lead, WorkflowStep step, CancellationToken cancellationToken)
    {
        if (step.Strategy == "user")
        {
            return step.UserId!.Value;
        }

        var roles = step.Roles is { Count: > 0 } configured ? configured.ToArray() : DefaultAssignRoles;
        var (activeUsers, territories) = await database.InTenantAsync(tenantId, async scope => (
            await LeadStore.RoutingCandidatesAsync(scope),
            step.Strategy == "territory" ? (await ScoringSettingsStore.LoadAsync(scope)).Routing.Territories ?? [] : []), cancellationToken);
        var candidates = activeUsers.Where(c => roles.Contains(c.Role)).ToList();
        if (step.Strategy == "territory")
        {
            var territory = territories.FirstOrDefault(t => t.Covers(lead))
                ?? throw new WorkflowStepException($"No territory of the routing settings covers the lead's state ({lead.State ?? "none"}) or postal code ({lead.PostalCode ?? "none"}).");
            candidates = [.. candidates.Where(c => territory.UserIds.Contains(c.UserId))];
            if (candidates.Count == 0)
            {
                throw new WorkflowStepException($"No active user with the role {string.Join(" or ", roles)} is in the territory of {territory.State ?? territory.PostalCodePrefix}.");
            }
        }

        var others = candidates.Where(c => c.UserId != lead.OwnerUserId).ToList();
        var pool = others.Count > 0 ? others : candidates;
        var chosen = step.Strategy is "leastLoad" or "territory"
            ? pool.OrderBy(c => c.OpenLeads).ThenBy(c => c.LastAssigned ?? DateTimeOffset.MinValue).ThenBy(c => c.UserId).FirstOrDefault()
            // Round robin: the one whose last assignment is oldest is next in turn.
            : pool.OrderBy(c => c.LastAssigned ?? DateTimeOffset.MinValue).ThenBy(c => c.UserId).FirstOrDefault();
        return chosen?.UserId ?? throw new WorkflowStepException($"No active user with the role {string.Join(" or ", roles)} to assign the lead to.");
    }

    private async Task<Lead> LeadAsync(Guid tenantId, WorkflowRunRow run, CancellationToken cancellationToken)
    {
        if (run.LeadId is not { } leadId)
        {
            throw new WorkflowStepException("The run is not about a lead: its trigger's event names none.");
        }

        var found = await leads.GetAsync(tenantId, leadId, includeDeleted: false, cancellationToken);
        return found.Succeeded ? found.Value : throw new WorkflowStepException($"The lead {leadId} no longer exists.");
    }

    private async Task<ConditionContext> ContextAsync(Guid tenantId, WorkflowRunRow run, CancellationToken cancellationToken)
    {
        var (payload, settings) = await database.InTenantAsync(tenantId, async scope => (
            run.TriggerKey.StartsWith("msg_", StringComparison.Ordinal) ? await WorkflowRunStore.EventPayloadAsync(scope, run.TriggerKey) : null,
            await TenantSettingsService.ReadAsync(scope)), cancellationToken);
        JsonElement? lead = null;
        if (run.LeadId is { } leadId && await leads.GetAsync(tenantId, leadId, includeDeleted: false, cancellationToken) is { Succeeded: true } found)
        {
            lead = JsonSerializer.SerializeToElement(found.Value, StreamFlowJson.Options);
        }

        return new ConditionContext(JsonDocument.Parse(payload ?? "{}").RootElement, lead, settings.Calendar(), timeProvider.GetUtcNow());
    }

    private static LeadInput SetField(Lead lead, string field, JsonElement value)
    {
        if (field.StartsWith("attributes.", StringComparison.Ordinal))
        {
            var attributes = lead.Attributes.ValueKind == JsonValueKind.Object
                ? lead.Attributes.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal)
                : new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            attributes[field[11..]] = value.Clone();
            return Only(attributes: attributes);
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
        return field switch
        {
            "firstName" => Only() with { FirstName = text },
            "lastName" => Only() with { LastName = text },
            "company" => Only() with { Company = text },
            "email" => Only() with { Email = text },
            "phone" => Only() with { Phone = text },
            "source" => Only() with { Source = text },
            "postalCode" => Only() with { PostalCode = text },
            "state" => Only() with { State = text },
            "city" => Only() with { City = text },
            "country" => Only() with { Country = text },
            "notes" => Only() with { Notes = text },
            _ => throw new WorkflowStepException($"{field} is not a lead field a workflow can set."),
        };
    }

    private static LeadInput Only(string? stage = null, Guid? owner = null, Dictionary<string, JsonElement>? attributes = null) =>
        new(null, null, null, null, null, null, null, null, null, null, null, null, attributes, stage, owner);

    private static T Expect<T>(Result<T> result) =>
        result.Succeeded ? result.Value : throw new WorkflowStepException(
            result.Problem!.Detail + (result.Problem.Errors is { Count: > 0 } errors ? " " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")) : ""));

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;

    private static string Serialize<T>(T value) => JsonSerializer.Serialize(value, StreamFlowJson.Options);
}

/// <summary>A step that cannot be taken, with the reason the run log shows (no personal data).</summary>
public sealed class WorkflowStepException(string message) : Exception(message);
