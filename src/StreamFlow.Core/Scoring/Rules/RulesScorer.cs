namespace StreamFlow.Core.Scoring.Rules;

/// <summary>A rule that fired for a lead, and its points.</summary>
public sealed record FiredRule(string Label, int Points);

/// <summary>The rules score of a lead (0–100) and the rules that made it.</summary>
public sealed record RulesScore(int Score, IReadOnlyList<FiredRule> Fired, string RuleSet);

/// <summary>Scores a lead with a tenant's rule set (validate it with <see cref="ScoringRuleValidator"/> when it is saved).</summary>
public static class RulesScorer
{
    public static RulesScore Score(ScoringRuleSet ruleSet, LeadProfile lead)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        ArgumentNullException.ThrowIfNull(lead);
        var fired = ruleSet.Rules
            .Where(rule => rule.When.Count > 0 && rule.When.All(condition => RuleConditions.Holds(condition, lead)))
            .Select(rule => new FiredRule(rule.Label, rule.Points))
            .ToArray();
        return new RulesScore(Math.Clamp(ruleSet.BaseScore + fired.Sum(f => f.Points), 0, 100), fired, ruleSet.Label);
    }
}
