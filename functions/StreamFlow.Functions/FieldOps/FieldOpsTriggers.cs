using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.FieldOps;

namespace StreamFlow.Functions.FieldOps;

/// <summary>The one-line trigger shims over the field-day re-plan in StreamFlow.Orchestrations.</summary>
public sealed class FieldDayReplanTriggers(ReplanFieldDayActivity replan, NotifyTechnicianOfReplanActivity notify)
{
    [Function(TaskNames.FieldDayReplan)]
    public static Task<string> FieldDayReplan([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new FieldDayReplanOrchestrator().RunAsync(context, context.GetInput<FieldDayReplanInput>()!);

    [Function(TaskNames.ReplanFieldDay)]
    public Task<Core.FieldOps.Dispatch.DayReplanOutcome> ReplanFieldDay([ActivityTrigger] FieldDayReplanInput input) =>
        replan.RunAsync(new FunctionActivityContext(TaskNames.ReplanFieldDay), input);

    [Function(TaskNames.NotifyTechnicianOfReplan)]
    public Task<bool> NotifyTechnicianOfReplan([ActivityTrigger] TechnicianNotice input) =>
        notify.RunAsync(new FunctionActivityContext(TaskNames.NotifyTechnicianOfReplan), input);
}
