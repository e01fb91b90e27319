using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Scoring.Rules;

/// <summary>
/// Checks a rule set before it is stored, reporting every problem as a field error keyed by its JSON path
/// ("rules[2].when[0].operator").
/// </summary>
public static class ScoringRuleValidator
{
    public const int MaxRules = 200;
    public const int MaxConditions = 10;
    public const int MaxPoints = 100;

    /// <summary>Null when the rule set is valid, else a validation problem with field errors.</summary>
    public static Problem? Validate(ScoringRuleSet? ruleSet)
    {
        var errors = new ValidationErrors();
        if (ruleSet is null)
        {
            return errors.Add("rules", "is required.").ToProblem();
        }

        errors.Required("name", ruleSet.Name, 50);
        if (ruleSet.Version < 1)
        {
            errors.Add("version", "must be 1 or more.");
        }

        if (ruleSet.BaseScore is < 0 or > 100)
        {
            errors.Add("baseScore", "must be between 0 and 100.");
        }

        if (ruleSet.Rules is null)
        {
            return errors.Add("rules", "is required.").ToProblem();
        }

        if (ruleSet.Rules.Count > MaxRules)
        {
            errors.Add("rules", $"must have at most {MaxRules} rules.");
        }

        for (var r = 0; r < ruleSet.Rules.Count; r++)
        {
            ValidateRule(ruleSet.Rules[r], $"rules[{r}]", errors);
        }

        return errors.ToProblem();
    }

    private static void ValidateRule(ScoringRule? rule, string path, ValidationErrors errors)
    {
        if (rule is null)
        {
            errors.Add(path, "must be a rule.");
            return;
        }

        errors.Required($"{path}.label", rule.Label, 100);
        if (rule.Points is < -MaxPoints or > MaxPoints or 0)
        {
            errors.Add($"{path}.points", $"must be between -{MaxPoints} and {MaxPoints}, and not 0.");
        }

        if (rule.When is null || rule.When.Count == 0)
        {
            errors.Add($"{path}.when", "must have at least one condition.");
            return;
        }

        if (rule.When.Count > MaxConditions)
        {
            errors.Add($"{path}.when", $"must have at most {MaxConditions} conditions.");
        }

        for (var c = 0; c < rule.When.Count; c++)
        {
            ValidateCondition(rule.When[c], $"{path}.when[{c}]", errors);
        }
    }

    private static void ValidateCondition(RuleCondition? condition, string path, ValidationErrors errors)
    {
        if (condition is null)
        {
            errors.Add(path, "must be a condition.");
            return;
        }

        errors.Required($"{path}.field", condition.Field, 200);
        var op = RuleConditions.ParseOperator(condition.Operator);
        if (op is null)
        {
            errors.Add($"{path}.operator", $"'{condition.Operator}' is not an operator; use one of {string.Join(", ", RuleConditions.OperatorNames)}.");
            return;
        }

        var hasValue = !string.IsNullOrWhiteSpace(condition.Value);
        var hasValues = condition.Values is { Count: > 0 } && condition.Values.All(v => !string.IsNullOrWhiteSpace(v));
        switch (op)
        {
            case RuleOperator.Exists when hasValue || condition.Values is { Count: > 0 }:
                errors.Add($"{path}.value", "must be empty for exists.");
                break;
            case RuleOperator.Equals when !hasValue:
                errors.Add($"{path}.value", "is required for equals.");
                break;
            case RuleOperator.In when !hasValues:
                errors.Add($"{path}.values", "must list at least one value, none of them empty, for in.");
                break;
            case RuleOperator.Contains when !hasValue && !hasValues:
                errors.Add($"{path}.value", "is required for contains (or give values, any of which may occur).");
                break;
            case RuleOperator.GreaterThan or RuleOperator.LessThan when !RuleConditions.TryParseComparable(condition.Value, out _):
                errors.Add($"{path}.value", "must be a number or a date for greaterThan and lessThan.");
                break;
        }

        errors.MaxLength($"{path}.value", condition.Value, 1_000);
        if (condition.Values is { Count: > 100 })
        {
            errors.Add($"{path}.values", "must have at most 100 values.");
        }
    }
}
