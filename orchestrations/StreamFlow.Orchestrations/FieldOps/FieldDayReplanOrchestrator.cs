using Microsoft.DurableTask;
using StreamFlow.Core.FieldOps.Dispatch;

namespace StreamFlow.Orchestrations.FieldOps;

/// <summary>Which visit's change set the re-plan off, and why: added, cancelled, late or time_off.</summary>
public sealed record FieldDayReplanInput(Guid TenantId, Guid VisitId, string Reason);

/// <summary>One technician to tell, and what changed for them.</summary>
public sealed record TechnicianNotice(Guid TenantId, TechnicianChanges Changes);

/// <summary>
/// Re-plans a field day after a visit was added, cancelled or reported late, or time off was recorded over it: one
/// activity plans and applies the day (reassignments and <c>visit.rescheduled</c> events in one transaction), then each
/// technician affected is mailed in parallel. Each step is an activity with retries; a mail that fails for good does
/// not undo the plan.
/// </summary>
public sealed class FieldDayReplanOrchestrator : TaskOrchestrator<FieldDayReplanInput, string>
{
    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 4, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2));

    public override async Task<string> RunAsync(TaskOrchestrationContext context, FieldDayReplanInput input)
    {
        var outcome = await context.CallActivityAsync<DayReplanOutcome>(TaskNames.ReplanFieldDay, input, Retry);
        if (outcome.Date is null)
        {
            return "visit gone";
        }

        var moved = outcome.Technicians.SelectMany(t => t.Changes).Select(c => c.VisitId).Distinct().Count();
        context.SetCustomStatus(new { date = outcome.Date, moved, technicians = outcome.Technicians.Count });
        var mails = outcome.Technicians.Select(async technician =>
        {
            try
            {
                return await context.CallActivityAsync<bool>(TaskNames.NotifyTechnicianOfReplan, new TechnicianNotice(input.TenantId, technician), Retry);
            }
            catch (TaskFailedException)
            {
                return false;
            }
        }).ToList();
        var sent = (await Task.WhenAll(mails)).Count(s => s);
        return $"{outcome.Date:yyyy-MM-dd}: {moved} visit(s) moved, {sent} of {outcome.Technicians.Count} technician(s) mailed";
    }
}

public sealed class ReplanFieldDayActivity(DispatchService dispatch) : TaskActivity<FieldDayReplanInput, DayReplanOutcome>
{
    public override Task<DayReplanOutcome> RunAsync(TaskActivityContext context, FieldDayReplanInput input) =>
        dispatch.ReplanAsync(input.TenantId, input.VisitId, input.Reason, CancellationToken.None);
}

public sealed class NotifyTechnicianOfReplanActivity(FieldNotifier notifier) : TaskActivity<TechnicianNotice, bool>
{
    public override Task<bool> RunAsync(TaskActivityContext context, TechnicianNotice input) =>
        notifier.NotifyTechnicianAsync(input.TenantId, input.Changes, CancellationToken.None);
}
