using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Workflows;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Workflows;

namespace StreamFlow.Functions.Workflows;

/// <summary>The one-line trigger shims over the workflow run classes in StreamFlow.Orchestrations.</summary>
public sealed class WorkflowRunTriggers(
    BeginWorkflowRunActivity begin,
    PlanWorkflowWaitActivity planWait,
    CheckWorkflowConditionActivity check,
    EndWorkflowWaitActivity endWait,
    RunWorkflowStepActivity step,
    FinishWorkflowRunActivity finish)
{
    [Function(TaskNames.WorkflowRun)]
    public static Task<string> WorkflowRun([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new WorkflowRunOrchestrator().RunAsync(context, context.GetInput<WorkflowRunInput>()!);

    [Function(TaskNames.BeginWorkflowRun)]
    public Task<WorkflowRunPlan> BeginWorkflowRun([ActivityTrigger] WorkflowRunInput input) =>
        begin.RunAsync(new FunctionActivityContext(TaskNames.BeginWorkflowRun), input);

    [Function(TaskNames.PlanWorkflowWait)]
    public Task<WorkflowWaitPlan> PlanWorkflowWait([ActivityTrigger] WorkflowStepRequest input) =>
        planWait.RunAsync(new FunctionActivityContext(TaskNames.PlanWorkflowWait), input);

    [Function(TaskNames.CheckWorkflowCondition)]
    public Task<bool> CheckWorkflowCondition([ActivityTrigger] WorkflowConditionRequest input) =>
        check.RunAsync(new FunctionActivityContext(TaskNames.CheckWorkflowCondition), input);

    [Function(TaskNames.EndWorkflowWait)]
    public Task<bool> EndWorkflowWait([ActivityTrigger] WorkflowWaitEnd input) =>
        endWait.RunAsync(new FunctionActivityContext(TaskNames.EndWorkflowWait), input);

    [Function(TaskNames.RunWorkflowStep)]
    public Task<string> RunWorkflowStep([ActivityTrigger] WorkflowStepRequest input) =>
        step.RunAsync(new FunctionActivityContext(TaskNames.RunWorkflowStep), input);

    [Function(TaskNames.FinishWorkflowRun)]
    public Task<bool> FinishWorkflowRun([ActivityTrigger] WorkflowRunEnd input) =>
        finish.RunAsync(new FunctionActivityContext(TaskNames.FinishWorkflowRun), input);
}

/// <summary>The timers of workflow runs: queued runs to the work outbox and due short waits resumed, the runs of schedule-triggered workflows, and the retention of ended runs.</summary>
public sealed class WorkflowRunTimers(WorkflowRunService runs, ILogger<WorkflowRunTimers> logger)
{
    // A run whose occurrence fell within this window and was not queued yet (a missed firing) is queued late rather than never.
    private static readonly TimeSpan ScheduleWindow = TimeSpan.FromMinutes(5);

    [Function("WorkflowRunSweep")]
    public async Task Sweep([TimerTrigger("%Workflows:RunSweepSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var dispatched = await runs.DispatchQueuedAsync(cancellationToken);
        var woken = await runs.PassOnWakesAsync(cancellationToken);
        // Behind the hosts' wake scheduler: a short wait of a host that runs none ends here, at most a sweep late.
        var resumed = await runs.ResumeDueWaitsAsync(cancellationToken);
        if (dispatched + woken + resumed > 0)
        {
            logger.LogInformation("Handed {Runs} queued workflow runs and {Wakes} wake-ups to the work outbox, resumed {Resumed} runs after their wait",
                dispatched, woken, resumed);
        }
    }

    [Function("PurgeWorkflowRuns")]
    public async Task Purge([TimerTrigger("%Workflows:RunRetentionSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var purged = await runs.PurgeEndedRunsAsync(cancellationToken);
        logger.LogInformation("Deleted {Runs} workflow runs past their retention", purged);
    }

    [Function("QueueScheduledWorkflows")]
    public async Task Schedule([TimerTrigger("%Workflows:ScheduleSweep%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var queued = await runs.QueueScheduledAsync(ScheduleWindow, cancellationToken);
        logger.LogInformation("Scheduled workflows: {Queued} occurrences queued (or queued already)", queued);
    }
}
