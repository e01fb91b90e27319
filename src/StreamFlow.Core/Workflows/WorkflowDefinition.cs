using System.Collections.Immutable;
using System.Text.Json;

namespace StreamFlow.Core.Workflows;

/// <summary>What starts a workflow: a webhook event type of the catalogue, or a six-field CRON schedule.</summary>
public sealed record WorkflowTrigger(string? Event, string? Schedule);

/// <summary>
/// One comparison. <c>field</c> is <c>event.&lt;path&gt;</c> (the event's data, typed by the event's JSON Schema) or
/// <c>lead.&lt;field&gt;</c> (the lead's state when the condition is checked); <c>withinBusinessHours</c> takes no field.
/// </summary>
public sealed record WorkflowCondition(string? Field, string? Operator, JsonElement? Value);

/// <summary>Rules that must all (<c>match: all</c>, the default) or any (<c>match: any</c>) hold.</summary>
public sealed record WorkflowConditions(string? Match, IReadOnlyList<WorkflowCondition>? Rules);

/// <summary>A wait's condition: the same rules as <see cref="WorkflowConditions"/>.</summary>
public sealed record WaitCondition(string? Match, WorkflowCondition[]? Rules)
{
    public WorkflowConditions ToConditions() => new(Match, Rules);
}

/// <summary>A branch's condition: the same rules as <see cref="WorkflowConditions"/>.</summary>
public sealed record BranchCondition(string? Match, List<WorkflowCondition>? Rules)
{
    public WorkflowConditions ToConditions() => new(Match, Rules);
}

/// <summary>
/// One step; <c>type</c> says which members it reads (docs/workflows.md): setField (field, value), setStage (stage),
/// assign (strategy roundRobin|leastLoad|territory|user, userId, roles), createTask (title, priority, dueInBusinessMinutes, assignee, or
/// taskTemplate for the title, priority and due time of a task template, which the members given override),
/// sendEmail (template, to), sendEvent (event, data: a workflow.event webhook event of the business's own), addNote (body), wait (minutes | businessMinutes | until | untilDate, a date of the record or event moved by days; with untilCondition and onTimeout), branch (if, then, else).
/// </summary>
/// <remarks>
/// The nested step lists, and the rule lists of the wait's and the branch's conditions, have distinct types on purpose:
/// the OpenAPI exporter refers to a repeated list type by its place in the first schema, which points nowhere once
/// the schema is a component.
/// </remarks>
public sealed record WorkflowStep(
    string? Type,
    string? Field = null,
    JsonElement? Value = null,
    string? Stage = null,
    string? Strategy = null,
    Guid? UserId = null,
    IReadOnlyList<string>? Roles = null,
    string? Title = null,
    string? Priority = null,
    int? DueInBusinessMinutes = null,
    string? Assignee = null,
    string? Template = null,
    string? To = null,
    string? Body = null,
    int? Minutes = null,
    int? BusinessMinutes = null,
    DateTimeOffset? Until = null,
    WaitCondition? UntilCondition = null,
    WorkflowStep[]? OnTimeout = null,
    BranchCondition? If = null,
    List<WorkflowStep>? Then = null,
    ImmutableList<WorkflowStep>? Else = null,
    string? TaskTemplate = null,
    WaitUntilDate? UntilDate = null,
    string? Event = null,
    JsonElement? Data = null);

/// <summary>A workflow as saved: a name, whether it runs, its trigger, the conditions a trigger must meet, and its steps.</summary>
public sealed record WorkflowDefinition(string? Name, bool? Enabled, WorkflowTrigger? Trigger, WorkflowConditions? Conditions, IReadOnlyList<WorkflowStep>? Steps);

/// <summary>A saved workflow: its current version's definition.</summary>
public sealed record Workflow(
    Guid Id, string Name, bool Enabled, int Version, WorkflowTrigger Trigger, WorkflowConditions? Conditions, IReadOnlyList<WorkflowStep> Steps,
    string UpdatedBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record WorkflowVersion(int Version, WorkflowDefinition Definition, string SavedBy, DateTimeOffset SavedAt);

public sealed record WorkflowList(IReadOnlyList<Workflow> Items);

public sealed record WorkflowVersionList(IReadOnlyList<WorkflowVersion> Items);
