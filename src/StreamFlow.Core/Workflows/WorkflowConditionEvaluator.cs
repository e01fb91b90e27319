using System.Globalization;
using System.Text.Json;
using StreamFlow.Core.Settings;

namespace StreamFlow.Core.Workflows;

/// <summary>One rule as it was checked: what it compared, what it found, whether it held.</summary>
public sealed record ConditionCheck(string? Field, string Operator, JsonElement? Value, JsonElement? Actual, bool Holds);

/// <summary>What the conditions are checked against: the event's data, the record's current state, the business's calendar, now.</summary>
internal sealed record ConditionContext(JsonElement Event, JsonElement? Lead, BusinessCalendar Calendar, DateTimeOffset Now);

/// <summary>
/// Checks saved conditions against an event and a record. Definitions were type-checked when saved, so a value of
/// another type here (an attribute holding text where a number was compared) simply does not hold.
/// </summary>
internal static class WorkflowConditionEvaluator
{
    public static (bool Holds, IReadOnlyList<ConditionCheck> Checks) Check(WorkflowConditions? conditions, ConditionContext context)
    {
        if (conditions?.Rules is not { Count: > 0 } rules)
        {
            return (true, []);
        }

        var checks = rules.Select(rule => Check(rule, context)).ToList();
        var holds = conditions.Match == "any" ? checks.Any(c => c.Holds) : checks.All(c => c.Holds);
        return (holds, checks);
    }

    private static ConditionCheck Check(WorkflowCondition rule, ConditionContext context)
    {
        if (rule.Operator == "withinBusinessHours")
        {
            return new ConditionCheck(null, rule.Operator, null, null, context.Calendar.IsOpen(context.Now));
        }

        var actual = Resolve(rule.Field!, context);
        var present = actual is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) };
        var value = rule.Value ?? default;
        var holds = rule.Operator switch
        {
            "exists" => present,
            "eq" => present && Same(actual!.Value, value),
            "ne" => !present || !Same(actual!.Value, value),
            "in" => present && value.ValueKind == JsonValueKind.Array && value.EnumerateArray().Any(v => Same(actual!.Value, v)),
            "contains" => present && actual!.Value.ValueKind == JsonValueKind.String && value.ValueKind == JsonValueKind.String
                && actual.Value.GetString()!.Contains(value.GetString()!, StringComparison.OrdinalIgnoreCase),
            "gt" => present && Order(actual!.Value, value) > 0,
            "gte" => present && Order(actual!.Value, value) >= 0,
            "lt" => present && Order(actual!.Value, value) is < 0 and not int.MinValue,
            "lte" => present && Order(actual!.Value, value) is <= 0 and not int.MinValue,
            _ => false,
        };
        return new ConditionCheck(rule.Field, rule.Operator!, rule.Value, present ? actual : null, holds);
    }

    /// <summary>event.a.b in the event's data, lead.a.b in the lead; absent is null.</summary>
    public static JsonElement? Resolve(string field, ConditionContext context)
    {
        var (root, path) = field.StartsWith("event.", StringComparison.Ordinal) ? (context.Event, field[6..])
            : field.StartsWith("lead.", StringComparison.Ordinal) && context.Lead is { } lead ? (lead, field[5..])
            : (default(JsonElement), null);
        if (path is null)
        {
            return null;
        }

        var current = root;
        foreach (var name in path.StartsWith("attributes.", StringComparison.Ordinal) ? ["attributes", path[11..]] : path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
            {
                return null;
            }
        }

        return current;
    }

    private static bool Same(JsonElement left, JsonElement right) => (left.ValueKind, right.ValueKind) switch
    {
        (JsonValueKind.Number, JsonValueKind.Number) => left.GetDouble().Equals(right.GetDouble()),
        (JsonValueKind.String, JsonValueKind.String) => string.Equals(left.GetString(), right.GetString(), StringComparison.Ordinal),
        (JsonValueKind.True or JsonValueKind.False, JsonValueKind.True or JsonValueKind.False) => left.ValueKind == right.ValueKind,
        _ => false,
    };

    // int.MinValue: the two cannot be ordered (different types), so no ordered comparison holds.
    private static int Order(JsonElement left, JsonElement right)
    {
        if (left.ValueKind == JsonValueKind.Number && right.ValueKind == JsonValueKind.Number)
        {
            return left.GetDouble().CompareTo(right.GetDouble());
        }

        if (left.ValueKind == JsonValueKind.String && right.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(left.GetString(), CultureInfo.InvariantCulture, out var a)
            && DateTimeOffset.TryParse(right.GetString(), CultureInfo.InvariantCulture, out var b))
        {
            return a.CompareTo(b);
        }

        return int.MinValue;
    }
}
