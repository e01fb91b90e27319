namespace StreamFlow.Core.Scoring.Rules;

/// <summary>
/// A tenant's scoring rules, as data (stored and edited as JSON). The rules score is <see cref="BaseScore"/> plus the
/// points of every rule whose conditions all hold, clamped to 0–100.
/// </summary>
public sealed record ScoringRuleSet(string Name, int Version, int BaseScore, IReadOnlyList<ScoringRule> Rules)
{
    /// <summary>"rules-{name}@{version}", the <c>model</c> of a score made by the rules alone.</summary>
    public string Label => $"rules-{Name}@{Version}";
}

/// <summary>A rule: when every condition holds, <see cref="Points"/> (negative to penalize) count, named by <see cref="Label"/>.</summary>
public sealed record ScoringRule(string Label, int Points, IReadOnlyList<RuleCondition> When);

/// <summary>
/// One test of a lead value. <see cref="Field"/> is a lead field (source, email, phone, company, city, state,
/// postalCode, country, notes, name, firstName, lastName, address, emailDomain) or an attribute by its name, compared
/// ignoring case, spaces and punctuation ("attributes." in front is allowed). <see cref="Operator"/> is one of
/// <c>equals</c>, <c>in</c>, <c>greaterThan</c>, <c>lessThan</c>, <c>exists</c>, <c>contains</c>; <c>in</c> takes
/// <see cref="Values"/>, <c>contains</c> a <see cref="Value"/> or any of <see cref="Values"/>, <c>exists</c> nothing,
/// the others a <see cref="Value"/> (a number or date for the comparisons). Text compares ignoring case.
/// </summary>
public sealed record RuleCondition(string Field, string Operator, string? Value = null, IReadOnlyList<string>? Values = null);

/// <summary>The operators a <see cref="RuleCondition"/> can use.</summary>
public enum RuleOperator
{
    Equals,
    In,
    GreaterThan,
    LessThan,
    Exists,
    Contains,
}
