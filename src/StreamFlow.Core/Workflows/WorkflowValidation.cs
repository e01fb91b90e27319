using System.Text.Json;
using NCrontab;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Settings;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Core.Workflows;

/// <summary>What a definition may refer to in this tenant: its stages, its active users, the custom fields of a lead (by key) and its task templates.</summary>
internal sealed record WorkflowReferences(
    IReadOnlySet<string> Stages, IReadOnlySet<Guid> Users, IReadOnlyDictionary<string, CustomField>? Attributes = null, IReadOnlySet<string>? TaskTemplates = null);

/// <summary>
/// Checks a definition when it is saved, so that a run never meets a name that does not exist: the shape first
/// (400 naming each member), then what it refers to and whether its comparisons can hold (422 naming each).
/// </summary>
internal static class WorkflowValidation
{
    public const int MaxSteps = 50;
    public const int MaxNesting = 4;
    public const int MaxMinutes = 60 * 24 * 366;

    private enum Kind
    {
        Text,
        Number,
        Boolean,
        Time,
        Any,
    }

    private static readonly string[] StepTypes = ["setField", "setStage", "assign", "createTask", "sendEmail", "sendEvent", "addNote", "wait", "branch"];
    private const int MaxEventDataBytes = 8 * 1024;
    private static readonly string[] Operators = ["eq", "ne", "gt", "gte", "lt", "lte", "in", "contains", "exists", "withinBusinessHours"];
    private static readonly string[] Strategies = ["roundRobin", "leastLoad", "territory", "user"];
    private static readonly string[] Roles = ["owner", "admin", "manager", "staff", "employee"];
    private static readonly string[] Priorities = ["low", "normal", "high", "urgent"];
    private static readonly string[] Recipients = ["recordOwner", "tenantOwners"];

    // The lead as conditions and setField see it; attributes.<name> are free until custom fields type them.
    private static readonly Dictionary<string, Kind> LeadFields = new(StringComparer.Ordinal)
    {
        ["id"] = Kind.Text, ["firstName"] = Kind.Text, ["lastName"] = Kind.Text, ["company"] = Kind.Text, ["email"] = Kind.Text,
        ["phone"] = Kind.Text, ["source"] = Kind.Text, ["externalId"] = Kind.Text, ["postalCode"] = Kind.Text, ["state"] = Kind.Text,
        ["city"] = Kind.Text, ["country"] = Kind.Text, ["notes"] = Kind.Text, ["ownerUserId"] = Kind.Text, ["stage"] = Kind.Text,
        ["outcome.status"] = Kind.Text, ["score.value"] = Kind.Number, ["score.tier"] = Kind.Text, ["score.probability"] = Kind.Number,
        ["score.confidence"] = Kind.Number, ["scoreStatus"] = Kind.Text, ["createdAt"] = Kind.Time, ["updatedAt"] = Kind.Time,
    };

    private static readonly string[] SettableLeadFields =
        ["firstName", "lastName", "company", "email", "phone", "source", "postalCode", "state", "city", "country", "notes"];

    public static Problem? Shape(WorkflowDefinition definition)
    {
        var errors = new ValidationErrors().Required("name", definition.Name, 200);
        if (definition.Trigger is not { } trigger || (trigger.Event is null) == (trigger.Schedule is null))
        {
            errors.Add("trigger", "must name either an event or a schedule.");
        }

        if (definition.Conditions is { } conditions)
        {
            ShapeOf(conditions, "conditions", errors);
        }

        if (definition.Steps is not { Count: > 0 } steps)
        {
            errors.Add("steps", "must hold at least one step.");
        }
        else
        {
            var count = 0;
            ShapeOf(steps, "steps", 1, ref count, errors);
            if (count > MaxSteps)
            {
                errors.Add("steps", $"must hold at most {MaxSteps} steps in all.");
            }
        }

        return errors.ToProblem();
    }

    public static Problem? References(WorkflowDefinition definition, WorkflowReferences references)
    {
        var errors = new ValidationErrors();
        var eventType = definition.Trigger!.Event is { } name ? WebhookEventCatalog.Find(name) : null;
        if (definition.Trigger.Event is { } unknown && (eventType is null || !eventType.Subscribable))
        {
            errors.Add("trigger.event", $"{unknown} is not an event type of the catalogue (GET /api/v1/webhooks/event-types).");
        }

        if (definition.Trigger.Schedule is { } schedule
            && CrontabSchedule.TryParse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null)
        {
            errors.Add("trigger.schedule", "must be a six-field CRON expression (seconds first).");
        }

        var scope = new FieldScope(eventType, eventType?.Group == "leads" || eventType is null, references.Attributes ?? new Dictionary<string, CustomField>());
        if (definition.Conditions is { } conditions)
        {
            ReferencesOf(conditions, "conditions", scope, errors);
        }

        ReferencesOf(definition.Steps!, "steps", scope, references, errors);
        return errors.IsEmpty
            ? null
            : new Problem(ProblemKind.Unprocessable, "The workflow refers to something that does not exist or compares what cannot be compared.",
                errors.ToProblem()!.Errors);
    }

    private sealed record FieldScope(WebhookEventType? Event, bool HasLead, IReadOnlyDictionary<string, CustomField> Attributes);

    private static void ShapeOf(WorkflowConditions conditions, string path, ValidationErrors errors)
    {
        if (conditions.Match is not (null or "all" or "any"))
        {
            errors.Add($"{path}.match", "must be all or any.");
        }

        if (conditions.Rules is not { Count: > 0 and <= 20 } rules)
        {
            errors.Add($"{path}.rules", "must hold 1 to 20 rules.");
            return;
        }

        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var at = $"{path}.rules[{i}]";
            if (rule is null || !Operators.Contains(rule.Operator))
            {
                errors.Add($"{at}.operator", $"must be one of {string.Join(", ", Operators)}.");
                continue;
            }

            if (rule.Operator == "withinBusinessHours")
            {
                continue;
            }

            if (string.IsNullOrWhiteSpace(rule.Field))
            {
                errors.Add($"{at}.field", "is required.");
            }

            if (rule.Operator != "exists" && rule.Value is null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined })
            {
                errors.Add($"{at}.value", "is required.");
            }
        }
    }

    private static void ShapeOf(IReadOnlyList<WorkflowStep> steps, string path, int depth, ref int count, ValidationErrors errors)
    {
        if (depth > MaxNesting)
        {
            errors.Add(path, $"nests deeper than {MaxNesting} levels.");
            return;
        }

        for (var i = 0; i < steps.Count; i++)
        {
            count++;
            var step = steps[i];
            var at = $"{path}[{i}]";
            if (step is null || !StepTypes.Contains(step.Type))
            {
                errors.Add($"{at}.type", $"must be one of {string.Join(", ", StepTypes)}.");
                continue;
            }

            switch (step.Type)
            {
                case "setField":
                    errors.Required($"{at}.field", step.Field, 200);
                    if (step.Value is null)
                    {
                        errors.Add($"{at}.value", "is required.");
                    }

                    break;
                case "setStage":
                    errors.Required($"{at}.stage", step.Stage, 100);
                    break;
                case "assign":
                    if (!Strategies.Contains(step.Strategy))
                    {
                        errors.Add($"{at}.strategy", "must be roundRobin, leastLoad, territory or user.");
                    }
                    else if (step.Strategy == "user" && step.UserId is null)
                    {
                        errors.Add($"{at}.userId", "is required with strategy user.");
                    }

                    foreach (var role in step.Roles ?? [])
                    {
                        if (!Roles.Contains(role))
                        {
                            errors.Add($"{at}.roles", $"{role} is not a role (owner, admin, manager, staff, employee).");
                        }
                    }

                    break;
                case "createTask":
                    if (step.TaskTemplate is null || step.Title is not null)
                    {
                        errors.Required($"{at}.title", step.Title, 200);
                    }

                    if (step.Priority is not null && !Priorities.Contains(step.Priority))
                    {
                        errors.Add($"{at}.priority", "must be low, normal, high or urgent.");
                    }

                    if (step.DueInBusinessMinutes is < 0 or > MaxMinutes)
                    {
                        errors.Add($"{at}.dueInBusinessMinutes", $"must be from 0 to {MaxMinutes}.");
                    }

                    break;
                case "sendEmail":
                    errors.Required($"{at}.template", step.Template, 100);
                    if (step.To is not null && !Recipients.Contains(step.To))
                    {
                        errors.Add($"{at}.to", "must be recordOwner or tenantOwners.");
                    }

                    break;
                case "addNote":
                    errors.Required($"{at}.body", step.Body, 4000);
                    break;
                case "sendEvent":
                    if (!IsEventName(step.Event))
                    {
                        errors.Add($"{at}.event", "is the event's name: 1–64 lower-case letters, digits, '_' and '.', starting with a letter (e.g. quote_follow_up.due).");
                    }

                    if (step.Data is { } data && (data.ValueKind != JsonValueKind.Object || data.GetRawText().Length > MaxEventDataBytes))
                    {
                        errors.Add($"{at}.data", $"must be a JSON object of at most {MaxEventDataBytes / 1024} KB.");
                    }

                    break;
                case "wait":
                    var kinds = (step.Minutes is null ? 0 : 1) + (step.BusinessMinutes is null ? 0 : 1) + (step.Until is null ? 0 : 1) + (step.UntilDate is null ? 0 : 1);
                    if (kinds != 1)
                    {
                        errors.Add(at, "a wait takes exactly one of minutes, businessMinutes, until or untilDate.");
                    }

                    if (step.UntilDate is { } untilDate)
                    {
                        errors.Required($"{at}.untilDate.field", untilDate.Field, 200);
                        if (untilDate.Days is < -WorkflowDates.MaxDays or > WorkflowDates.MaxDays)
                        {
                            errors.Add($"{at}.untilDate.days", $"must be from -{WorkflowDates.MaxDays} to {WorkflowDates.MaxDays} (negative: before the date).");
                        }

                        if (untilDate.At is not null && !BusinessCalendar.TryParse(untilDate.At, out _))
                        {
                            errors.Add($"{at}.untilDate.at", "must be a local time HH:mm.");
                        }
                    }

                    if (step.Minutes is < 0 or > MaxMinutes || step.BusinessMinutes is < 0 or > MaxMinutes)
                    {
                        errors.Add($"{at}.{(step.Minutes is null ? "businessMinutes" : "minutes")}", $"must be from 0 to {MaxMinutes}.");
                    }

                    if (step.UntilCondition is { } until)
                    {
                        ShapeOf(until.ToConditions(), $"{at}.untilCondition", errors);
                    }

                    if (step.OnTimeout is { } timeout)
                    {
                        ShapeOf(timeout, $"{at}.onTimeout", depth + 1, ref count, errors);
                    }

                    break;
                case "branch":
                    if (step.If is null)
                    {
                        errors.Add($"{at}.if", "is required.");
                    }
                    else
                    {
                        ShapeOf(step.If.ToConditions(), $"{at}.if", errors);
                    }

                    ShapeOf(step.Then ?? [], $"{at}.then", depth + 1, ref count, errors);
                    ShapeOf(step.Else ?? [], $"{at}.else", depth + 1, ref count, errors);
                    break;
            }
        }
    }

    private static void ReferencesOf(WorkflowConditions conditions, string path, FieldScope scope, ValidationErrors errors)
    {
        for (var i = 0; i < conditions.Rules!.Count; i++)
        {
            var rule = conditions.Rules[i];
            if (rule.Operator == "withinBusinessHours")
            {
                continue;
            }

            var at = $"{path}.rules[{i}]";
            if (KindOf(rule.Field!, scope) is not { } kind)
            {
                errors.Add($"{at}.field", $"{rule.Field} is not a field here: use event.<path> of the trigger's event data{(scope.HasLead ? " or lead.<field>" : "")}.");
                continue;
            }

            if (rule.Operator == "exists")
            {
                continue;
            }

            var ordered = rule.Operator is "gt" or "gte" or "lt" or "lte";
            if (ordered && kind is not (Kind.Number or Kind.Time or Kind.Any))
            {
                errors.Add($"{at}.operator", $"{rule.Operator} compares numbers or times; {rule.Field} is {Describe(kind)}.");
                continue;
            }

            if (rule.Operator == "contains" && kind is not (Kind.Text or Kind.Any))
            {
                errors.Add($"{at}.operator", $"contains looks inside text; {rule.Field} is {Describe(kind)}.");
                continue;
            }

            var values = rule.Operator == "in" && rule.Value!.Value.ValueKind == JsonValueKind.Array
                ? rule.Value.Value.EnumerateArray().ToList()
                : [rule.Value!.Value];
            if (rule.Operator == "in" && rule.Value!.Value.ValueKind != JsonValueKind.Array)
            {
                errors.Add($"{at}.value", "must be a list with the operator in.");
            }
            else if (values.FirstOrDefault(v => !Fits(kind, v)) is { ValueKind: not JsonValueKind.Undefined } misfit)
            {
                errors.Add($"{at}.value", $"compares {rule.Field}, which is {Describe(kind)}, with {Describe(misfit)}.");
            }
        }
    }

    private static void ReferencesOf(IReadOnlyList<WorkflowStep> steps, string path, FieldScope scope, WorkflowReferences references, ValidationErrors errors)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var at = $"{path}[{i}]";
            if (step.Type is "setField" or "setStage" or "assign" or "addNote" && !scope.HasLead)
            {
                errors.Add($"{at}.type", $"{step.Type} changes a lead; the trigger's events are not about a lead.");
            }

            switch (step.Type)
            {
                case "setField" when !SettableLeadFields.Contains(step.Field) && !IsAttribute(step.Field!):
                    errors.Add($"{at}.field", $"{step.Field} is not a lead field a workflow can set ({string.Join(", ", SettableLeadFields)}, attributes.<name>; stages with setStage).");
                    break;
                case "setField" when IsAttribute(step.Field!) && scope.Attributes.TryGetValue(step.Field![11..], out var custom)
                    && CustomFieldRules.Problem(custom, step.Value!.Value) is { } misfit:
                    errors.Add($"{at}.value", $"{step.Field} is the custom field {custom.Label} ({custom.Type}): it {misfit}");
                    break;
                case "setField" when step.Value!.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null)
                    || (!IsAttribute(step.Field!) && step.Value.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null)):
                    errors.Add($"{at}.value", $"{step.Field} takes {(IsAttribute(step.Field!) ? "text, a number or true/false" : "text")}.");
                    break;
                case "setStage" when !references.Stages.Contains(step.Stage!):
                    errors.Add($"{at}.stage", $"{step.Stage} is not a stage of this business's pipeline.");
                    break;
                case "assign" when step.UserId is { } user && !references.Users.Contains(user):
                    errors.Add($"{at}.userId", $"{user} is not an active user of this business.");
                    break;
                case "createTask" when step.TaskTemplate is { } taskTemplate && !(references.TaskTemplates?.Contains(taskTemplate) ?? false):
                    errors.Add($"{at}.taskTemplate", $"{taskTemplate} is not a task template of this business (GET /api/v1/task-templates).");
                    break;
                case "createTask" when Guid.TryParse(step.Assignee, out var assignee) && !references.Users.Contains(assignee):
                    errors.Add($"{at}.assignee", $"{assignee} is not an active user of this business.");
                    break;
                case "createTask" when step.Assignee is not (null or "recordOwner") && !Guid.TryParse(step.Assignee, out _):
                    errors.Add($"{at}.assignee", "must be recordOwner or a user id.");
                    break;
                case "sendEmail" when !WorkflowEmailTemplates.Exists(step.Template!):
                    errors.Add($"{at}.template", $"{step.Template} is not an email template ({string.Join(", ", WorkflowEmailTemplates.Names)}).");
                    break;
                case "wait":
                    if (step.UntilDate is { Field: { } dateField } && KindOf(dateField, scope) != Kind.Time)
                    {
                        errors.Add($"{at}.untilDate.field", $"{dateField} is not a date here: use a date custom field (lead.attributes.<key>), lead.createdAt, lead.updatedAt or a date-time of the trigger's event.");
                    }

                    if (step.UntilCondition is { } until)
                    {
                        ReferencesOf(until.ToConditions(), $"{at}.untilCondition", scope, errors);
                    }

                    break;
                case "branch":
                    ReferencesOf(step.If!.ToConditions(), $"{at}.if", scope, errors);
                    break;
            }

            foreach (var (nested, name) in new (IReadOnlyList<WorkflowStep>? Steps, string Name)[] { (step.OnTimeout, "onTimeout"), (step.Then, "then"), (step.Else, "else") })
            {
                if (nested is not null)
                {
                    ReferencesOf(nested, $"{at}.{name}", scope, references, errors);
                }
            }
        }
    }

    private static bool IsAttribute(string field) => field.StartsWith("attributes.", StringComparison.Ordinal) && field.Length is > 11 and <= 111;

    private static Kind? KindOf(string field, FieldScope scope)
    {
        if (field.StartsWith("lead.", StringComparison.Ordinal) && scope.HasLead)
        {
            var name = field[5..];
            if (IsAttribute(name))
            {
                return scope.Attributes.TryGetValue(name[11..], out var custom) ? custom.Type switch
                {
                    "number" => Kind.Number,
                    "boolean" => Kind.Boolean,
                    "date" => Kind.Time,
                    "text" or "choice" or "money" => Kind.Text,
                    _ => Kind.Any,
                } : Kind.Any;
            }

            return LeadFields.TryGetValue(name, out var kind) ? kind : null;
        }

        if (field.StartsWith("event.", StringComparison.Ordinal) && scope.Event is { } eventType)
        {
            return KindIn(eventType.DataSchema, field[6..].Split('.'));
        }

        return null;
    }

    // Walks the event's data schema: "type" (a name or [name, "null"]), anyOf of alternatives, open objects as any.
    private static Kind? KindIn(JsonElement schema, string[] path)
    {
        if (schema.TryGetProperty("anyOf", out var alternatives))
        {
            return alternatives.EnumerateArray().Select(a => KindIn(a, path)).FirstOrDefault(k => k is not null);
        }

        var type = schema.TryGetProperty("type", out var t)
            ? t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(e => e.GetString()).First(n => n != "null") : t.GetString()
            : schema.TryGetProperty("const", out _) ? "string" : null;
        if (path.Length == 0)
        {
            return type switch
            {
                "integer" or "number" => Kind.Number,
                "boolean" => Kind.Boolean,
                "string" when schema.TryGetProperty("format", out var format) && format.GetString() == "date-time" => Kind.Time,
                "string" => Kind.Text,
                _ => Kind.Any,
            };
        }

        if (type != "object")
        {
            return null;
        }

        return schema.TryGetProperty("properties", out var properties)
            ? properties.TryGetProperty(path[0], out var child) ? KindIn(child, path[1..]) : null
            : Kind.Any;
    }

    private static bool Fits(Kind kind, JsonElement value) => kind switch
    {
        Kind.Number => value.ValueKind == JsonValueKind.Number,
        Kind.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        Kind.Time => value.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(value.GetString(), System.Globalization.CultureInfo.InvariantCulture, out _),
        Kind.Text => value.ValueKind == JsonValueKind.String,
        _ => value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False,
    };

    private static string Describe(Kind kind) => kind switch
    {
        Kind.Number => "a number",
        Kind.Boolean => "true or false",
        Kind.Time => "a time",
        Kind.Text => "text",
        _ => "any value",
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => "a number",
        JsonValueKind.String => "text",
        JsonValueKind.True or JsonValueKind.False => "true or false",
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        _ => "null",
    };

    private static bool IsEventName(string? name) =>
        name is { Length: >= 1 and <= 64 } && name[0] is >= 'a' and <= 'z' && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '.')
        && !name.EndsWith('.') && !name.Contains("..", StringComparison.Ordinal);
}
