using System.Globalization;
using System.Text.Json;

namespace StreamFlow.Core.Workflows;

/// <summary>
/// A dry run: the trigger event's data (the catalogue's example when omitted) and, for events about a lead, a real
/// lead whose current state the conditions read.
/// </summary>
public sealed record WorkflowDryRunRequest(JsonElement? Event, Guid? LeadId);

/// <summary>What one step would do, at which (simulated) time, and the conditions it checked.</summary>
// Checks is an array, not a list: the OpenAPI exporter cannot refer to a list type repeated inside a component.
public sealed record DryRunStep(string Path, string Type, string Outcome, DateTimeOffset At, ConditionCheck[]? Checks = null);

/// <summary>What a run would do now, without doing it: whether the trigger's conditions hold, then each step in order.</summary>
public sealed record WorkflowDryRun(
    Guid WorkflowId, int Version, bool Triggered, IReadOnlyList<ConditionCheck> Conditions, IReadOnlyList<DryRunStep> Steps, string TimeZone, DateTimeOffset EvaluatedAt);

/// <summary>
/// Walks a definition as a run would, against the current state and a clock that moves forward over waits. A wait
/// whose condition does not hold now is taken to time out (the dry run cannot know the future), so its onTimeout
/// steps are shown.
/// </summary>
internal static class WorkflowDryRunPlanner
{
    public static IReadOnlyList<DryRunStep> Plan(IReadOnlyList<WorkflowStep> steps, ConditionContext context)
    {
        var plan = new List<DryRunStep>();
        Walk(steps, "steps", context, plan);
        return plan;
    }

    // The context after the steps (its clock moved over waits), or null when a step stops the run.
    private static ConditionContext? Walk(IReadOnlyList<WorkflowStep> steps, string path, ConditionContext context, List<DryRunStep> plan)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var at = $"{path}[{i}]";
            switch (step.Type)
            {
                case "wait" when step.UntilDate is { } untilDate && WorkflowDates.Due(untilDate, context) is null:
                    plan.Add(new DryRunStep(at, "wait", $"{untilDate.Field} is empty or not a date: the run stops here.", context.Now));
                    return null;
                case "wait":
                    var due = (step.UntilDate is { } dated ? WorkflowDates.Due(dated, context) : null) ?? step.Until ?? (step.BusinessMinutes is { } business
                        ? context.Calendar.AddBusinessMinutes(context.Now, business)
                        : context.Now.AddMinutes(step.Minutes ?? 0));
                    if (step.UntilCondition is { } until)
                    {
                        var (holds, checks) = WorkflowConditionEvaluator.Check(until.ToConditions(), context);
                        plan.Add(new DryRunStep(at, "wait", holds
                            ? "The condition holds already: the run goes on at once."
                            : $"Waits for the condition until {Format(due, context)}; it does not hold now, so at that time the onTimeout steps run.", context.Now, [.. checks]));
                        if (!holds)
                        {
                            if (Walk(step.OnTimeout ?? [], $"{at}.onTimeout", context with { Now = due > context.Now ? due : context.Now }, plan) is not { } after)
                            {
                                return null;
                            }

                            context = after;
                        }
                    }
                    else
                    {
                        plan.Add(new DryRunStep(at, "wait", due <= context.Now
                            ? $"Waits until {Format(due, context)}{Dated(step)}, which has passed: the run goes on at once."
                            : $"Waits until {Format(due, context)}{Dated(step)}.", context.Now));
                        context = context with { Now = due > context.Now ? due : context.Now };
                    }

                    break;
                case "branch":
                    var (taken, branchChecks) = WorkflowConditionEvaluator.Check(step.If?.ToConditions(), context);
                    plan.Add(new DryRunStep(at, "branch", taken ? "The condition holds: then." : "The condition does not hold: else.", context.Now, [.. branchChecks]));
                    if (Walk((taken ? (IReadOnlyList<WorkflowStep>?)step.Then : step.Else) ?? [], $"{at}.{(taken ? "then" : "else")}", context, plan) is not { } next)
                    {
                        return null;
                    }

                    context = next;
                    break;
                default:
                    plan.Add(new DryRunStep(at, step.Type!, Describe(step, context), context.Now));
                    break;
            }
        }

        return context;
    }

    private static string Describe(WorkflowStep step, ConditionContext context) => step.Type switch
    {
        "setField" => $"Sets {step.Field} to {step.Value?.GetRawText()}.",
        "setStage" => $"Moves the lead to the stage {step.Stage}.",
        "assign" => step.Strategy switch
        {
            "user" => $"Assigns the lead to the user {step.UserId}.",
            "leastLoad" => $"Assigns the lead to the active {Roles(step)} with the fewest open leads.",
            "territory" => $"Assigns the lead to the active {Roles(step)} of the territory its state or postal code falls in (the routing settings), the fewest open leads first.",
            _ => $"Assigns the lead to the next active {Roles(step)} in turn.",
        },
        "createTask" when step.TaskTemplate is not null && step.Title is null =>
            $"Creates a task from the task template {step.TaskTemplate}, for {(step.Assignee is null or "recordOwner" ? "the lead's owner" : $"the user {step.Assignee}")}.",
        "createTask" => $"Creates the {step.Priority ?? "normal"} task \"{step.Title}\""
            + (step.DueInBusinessMinutes is { } minutes ? $", due {Format(context.Calendar.AddBusinessMinutes(context.Now, minutes), context)}" : "")
            + $", for {(step.Assignee is null or "recordOwner" ? "the lead's owner" : $"the user {step.Assignee}")}.",
        "sendEmail" => $"Emails the template {step.Template} to {(step.To == "tenantOwners" ? "the business's owners" : "the lead's owner")}.",
        "addNote" => $"Adds the note \"{step.Body}\" to the lead.",
        "sendEvent" => $"Sends the webhook event workflow.event named {step.Event} to the business's subscribers.",
        _ => step.Type!,
    };

    private static string Dated(WorkflowStep step) => step.UntilDate is { } dated ? $" ({WorkflowDates.Describe(dated)})" : "";

    private static string Roles(WorkflowStep step) => step.Roles is { Count: > 0 } roles ? string.Join(" or ", roles) : "user";

    private static string Format(DateTimeOffset instant, ConditionContext context) =>
        TimeZoneInfo.ConvertTime(instant, context.Calendar.Zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + $" {context.Calendar.Zone.Id}";
}
