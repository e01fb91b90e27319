using Microsoft.DurableTask;
using StreamFlow.Core.Workflows;

namespace StreamFlow.Orchestrations.Workflows;

public sealed class BeginWorkflowRunActivity(WorkflowRunner runner) : TaskActivity<WorkflowRunInput, WorkflowRunPlan>
{
    public override Task<WorkflowRunPlan> RunAsync(TaskActivityContext context, WorkflowRunInput input) =>
        runner.BeginAsync(input.TenantId, input.RunId, CancellationToken.None);
}

public sealed class PlanWorkflowWaitActivity(WorkflowRunner runner) : TaskActivity<WorkflowStepRequest, WorkflowWaitPlan>
{
    public override Task<WorkflowWaitPlan> RunAsync(TaskActivityContext context, WorkflowStepRequest input) =>
        runner.PlanWaitAsync(input.TenantId, input.RunId, input.Path, input.Step, CancellationToken.None);
}

public sealed class CheckWorkflowConditionActivity(WorkflowRunner runner) : TaskActivity<WorkflowConditionRequest, bool>
{
    public override Task<bool> RunAsync(TaskActivityContext context, WorkflowConditionRequest input) =>
        runner.CheckAsync(input.TenantId, input.RunId, input.Path, input.Conditions, input.Log, CancellationToken.None);
}

public sealed class EndWorkflowWaitActivity(WorkflowRunner runner) : TaskActivity<WorkflowWaitEnd, bool>
{
    public override Task<bool> RunAsync(TaskActivityContext context, WorkflowWaitEnd input) =>
        runner.EndWaitAsync(input.TenantId, input.RunId, input.Path, input.Outcome, input.AtDueTime, CancellationToken.None);
}

public sealed class RunWorkflowStepActivity(WorkflowRunner runner) : TaskActivity<WorkflowStepRequest, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, WorkflowStepRequest input) =>
        runner.RunStepAsync(input.TenantId, input.RunId, input.Path, input.Step, CancellationToken.None);
}

public sealed class FinishWorkflowRunActivity(WorkflowRunner runner) : TaskActivity<WorkflowRunEnd, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, WorkflowRunEnd input)
    {
        await runner.FinishAsync(input.TenantId, input.RunId, input.Status, input.Reason, CancellationToken.None);
        return true;
    }
}
