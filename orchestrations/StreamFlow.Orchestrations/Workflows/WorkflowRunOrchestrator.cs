using System.Globalization;
using Microsoft.DurableTask;
using StreamFlow.Core.Workflows;

namespace StreamFlow.Orchestrations.Workflows;

/// <summary>
/// One run of a workflow, pinned to the version it was queued on: begin (depth and conditions), then each step in order
/// as an activity; waits are durable timers (a wait with a condition checks it when <see cref="WakeEvent"/> says its lead
/// changed, and every poll interval as a fallback, until it holds or the due time passes, then runs its onTimeout steps);
/// a branch checks its condition and takes then or else. A step that fails all its attempts fails the run, which is
/// logged and emailed to the owners. A run found over (cancelled, or deleted by the retention) ends quietly.
/// </summary>
public sealed class WorkflowRunOrchestrator : TaskOrchestrator<WorkflowRunInput, string>
{
    /// <summary>Raised (through the work outbox) when the lead of a run waiting on a condition changed.</summary>
    public const string WakeEvent = "WorkflowRunWake";

    private static readonly TaskOptions Bookkeeping = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2));

    public override async Task<string> RunAsync(TaskOrchestrationContext context, WorkflowRunInput input)
    {
        var plan = await context.CallActivityAsync<WorkflowRunPlan>(TaskNames.BeginWorkflowRun, input, Bookkeeping);
        if (!plan.Proceed)
        {
            return "skipped";
        }

        var run = new Run(context, input, TaskOptions.FromRetryPolicy(new RetryPolicy(
            maxNumberOfAttempts: plan.StepAttempts, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2)),
            plan.ConditionPollInterval ?? TimeSpan.FromMinutes(1), plan.PlannedWaits);
        try
        {
            if (!await run.StepsAsync(plan.Steps, "steps"))
            {
                if (run.Over)
                {
                    // Cancelled or deleted meanwhile: it has ended already, and nothing more is logged.
                    return "over";
                }

                // A date wait found no date: the run ends there, completed, with the reason in its log.
                await context.CallActivityAsync(TaskNames.FinishWorkflowRun, new WorkflowRunEnd(input.TenantId, input.RunId, "completed", run.StoppedBecause), Bookkeeping);
                return "completed";
            }
        }
        catch (TaskFailedException failure)
        {
            await context.CallActivityAsync(TaskNames.FinishWorkflowRun,
                new WorkflowRunEnd(input.TenantId, input.RunId, "failed", failure.FailureDetails.ErrorMessage), Bookkeeping);
            return "failed";
        }

        await context.CallActivityAsync(TaskNames.FinishWorkflowRun, new WorkflowRunEnd(input.TenantId, input.RunId, "completed", null), Bookkeeping);
        return "completed";
    }

    private sealed class Run(
        TaskOrchestrationContext context, WorkflowRunInput input, TaskOptions stepRetry, TimeSpan pollInterval, IReadOnlyDictionary<string, DateTimeOffset>? plannedWaits)
    {
        private const int MaxEarlyWakeUps = 50;
        private const int MaxWakeUps = 1_000;

        private Task<string>? wakeUp;
        private int wakeUps;

        public string? StoppedBecause { get; private set; }

        /// <summary>The run was found cancelled or deleted: nothing more is taken.</summary>
        public bool Over { get; private set; }

        /// <summary>Takes the steps in order; false when one stopped the run (<see cref="StoppedBecause"/>).</summary>
        public async Task<bool> StepsAsync(IReadOnlyList<WorkflowStep> steps, string path)
        {
            for (var i = 0; i < steps.Count; i++)
            {
                var step = steps[i];
                var at = $"{path}[{i}]";
                switch (step.Type)
                {
                    case "wait":
                        if (!await WaitAsync(step, at))
                        {
                            return false;
                        }

                        break;
                    case "branch":
                        var taken = await context.CallActivityAsync<bool>(TaskNames.CheckWorkflowCondition,
                            new WorkflowConditionRequest(input.TenantId, input.RunId, at, step.If?.ToConditions(), Log: true), stepRetry);
                        if (!await StepsAsync((taken ? (IReadOnlyList<WorkflowStep>?)step.Then : step.Else) ?? [], $"{at}.{(taken ? "then" : "else")}"))
                        {
                            return false;
                        }

                        break;
                    default:
                        var result = await context.CallActivityAsync<string>(TaskNames.RunWorkflowStep, new WorkflowStepRequest(input.TenantId, input.RunId, at, step), stepRetry);
                        if (WorkflowRunner.IsNotTaken(result))
                        {
                            Over = true;
                            StoppedBecause = result;
                            return false;
                        }

                        break;
                }
            }

            return true;
        }

        private async Task<bool> WaitAsync(WorkflowStep step, string at)
        {
            // A wait planned in process when the run was claimed keeps that due time: one activity fewer before the timer.
            var plan = plannedWaits?.TryGetValue(at, out var planned) == true
                ? new WorkflowWaitPlan(planned)
                : await context.CallActivityAsync<WorkflowWaitPlan>(TaskNames.PlanWorkflowWait, new WorkflowStepRequest(input.TenantId, input.RunId, at, step), stepRetry);
            if (plan.Stop is { } reason)
            {
                Over = WorkflowRunner.IsNotTaken(reason);
                StoppedBecause = reason;
                return false;
            }

            var due = plan.DueAt.UtcDateTime;
            if (step.UntilCondition is not { } until)
            {
                await TimerAsync(due);
                // The host's clock decides: the activity sleeps out the last few seconds of an early wake-up and refuses an
                // earlier one, for the orchestration to wait again (a backend that keeps waking early ends it after many).
                for (var early = 0; !await EndAsync(at, $"Waited until {Format(due)}.", atDueTime: early < MaxEarlyWakeUps); early++)
                {
                    await context.CreateTimer(Max(due, context.CurrentUtcDateTime).AddSeconds(1), CancellationToken.None);
                }

                return true;
            }

            // A check when the lead changes, one per poll interval until the due time as a fallback, and one at it: the polls
            // are bounded by the wait itself, the wake-ups by MaxWakeUps (beyond it the wait polls only).
            var polls = (int)Math.Min(10_000, Math.Ceiling(Math.Max(0, (due - context.CurrentUtcDateTime).Ticks) / (double)pollInterval.Ticks) + 1);
            for (var poll = 0; poll <= polls;)
            {
                if (await context.CallActivityAsync<bool>(TaskNames.CheckWorkflowCondition,
                        new WorkflowConditionRequest(input.TenantId, input.RunId, at, until.ToConditions(), Log: false), stepRetry))
                {
                    await EndAsync(at, $"The condition held at {Format(context.CurrentUtcDateTime)}: the run goes on.");
                    return true;
                }

                if (context.CurrentUtcDateTime >= due || poll == polls)
                {
                    await EndAsync(at, $"Timed out at {Format(context.CurrentUtcDateTime)} with the condition not holding: the onTimeout steps run.");
                    return await StepsAsync(step.OnTimeout ?? [], $"{at}.onTimeout");
                }

                var next = context.CurrentUtcDateTime + pollInterval;
                if (!await WokenBeforeAsync(next < due ? next : due))
                {
                    poll++;
                }
            }

            return true;
        }

        /// <summary>
        /// Waits for the timer or for <see cref="WakeEvent"/>, whichever comes first; true when woken. The event's waiter
        /// outlives a timer that wins, so that the next wake-up is not taken by a waiter no one awaits any more.
        /// </summary>
        private async Task<bool> WokenBeforeAsync(DateTime wake)
        {
            // As TimerAsync: a timer delivered early is waited again, a few times at most.
            for (var attempt = 0; attempt < 5 && wake > context.CurrentUtcDateTime; attempt++)
            {
                var at = attempt == 0 ? wake : Max(wake, context.CurrentUtcDateTime.AddSeconds(1));
                if (wakeUps >= MaxWakeUps)
                {
                    await context.CreateTimer(at, CancellationToken.None);
                    continue;
                }

                wakeUp ??= context.WaitForExternalEvent<string>(WakeEvent);
                using var timerCancellation = new CancellationTokenSource();
                var timer = context.CreateTimer(at, timerCancellation.Token);
                if (await Task.WhenAny(wakeUp, timer) == wakeUp)
                {
                    timerCancellation.Cancel();
                    wakeUp = null;
                    wakeUps++;
                    return true;
                }
            }

            return false;
        }

        // The storage backend may deliver a timer up to a second early (queue visibility is counted in whole seconds):
        // a wait wakes again until its due time has passed, a few times at most.
        private async Task TimerAsync(DateTime due)
        {
            for (var attempt = 0; attempt < 5 && due > context.CurrentUtcDateTime; attempt++)
            {
                var wake = attempt == 0 ? due : Max(due, context.CurrentUtcDateTime.AddSeconds(1));
                await context.CreateTimer(wake, CancellationToken.None);
            }
        }

        private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

        private Task<bool> EndAsync(string at, string outcome, bool atDueTime = false) =>
            context.CallActivityAsync<bool>(TaskNames.EndWorkflowWait, new WorkflowWaitEnd(input.TenantId, input.RunId, at, outcome, atDueTime), stepRetry);

        private static string Format(DateTime instant) => instant.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
    }
}
