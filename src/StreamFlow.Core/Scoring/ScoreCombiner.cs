using StreamFlow.Core.Scoring.Model;
using StreamFlow.Core.Scoring.Rules;

namespace StreamFlow.Core.Scoring;

/// <summary>Whether a factor raised or lowered the score.</summary>
public enum FactorDirection
{
    Up,
    Down,
}

/// <summary>One reason for a score, in words a salesperson reads; <see cref="Weight"/> is about how many points (of 100) it moved the score.</summary>
public sealed record ScoreFactor(string Name, FactorDirection Direction, double Weight);

/// <summary>
/// A lead's score as the API shows it: <c>value</c> 0–100, <c>tier</c>, <c>probability</c> (null without a model),
/// <c>confidence</c> 0–1, the three factors pushing it up and the three pushing it down, and the model that made it.
/// </summary>
public sealed record LeadScore(int Value, ScoreTier Tier, double? Probability, double Confidence, IReadOnlyList<ScoreFactor> Factors, string Model);

/// <summary>An AI assessment of a lead (0–100, 50 neutral) and how sure the AI is of it (0–1).</summary>
public sealed record AiSignal(double Value, double Confidence, string? Reason = null);

/// <summary>The learned model's part of a score: its prediction and how far it can be trusted.</summary>
/// <remarks>Made by <see cref="ColdStart.ServingModel"/> from the business's own model and its industry's pool.</remarks>
public sealed record ModelSignal(ConversionPrediction Prediction, string Label, double ValidationAuc, int Samples);

/// <summary>
/// How much the rules and the AI signal count (per tenant). With a model, each shifts the model's log-odds by
/// weight × 0.04 per point away from neutral (the rule set's base score, or 50 for the AI); without one, the value
/// is the rules score and the AI value averaged with weights 1 and <see cref="Ai"/> × its confidence.
/// </summary>
public sealed record ScoreWeights(double Rules = 0.25, double Ai = 0.5)
{
    public static ScoreWeights Default { get; } = new();
}

/// <summary>What the scoring steps produced for one lead; the model and the AI signal may be absent.</summary>
public sealed record ScoreInputs(RulesScore Rules, int RulesBaseScore, ModelSignal? Model = null, AiSignal? Ai = null);

/// <summary>
/// Combines the rules score, the learned model and the AI signal into the <see cref="LeadScore"/> the API returns.
/// <para>With a model the value is 100 × the model's probability after the rules and the AI nudge its log-odds, so
/// that the model's validated ranking and tier thresholds hold (see <see cref="TierThresholds.FromValidation"/>).
/// Without a model the value is the rules score, averaged with the AI value when there is one.</para>
/// <para>Confidence is the weighted mean of each present signal's confidence: the model's grows with its validation
/// AUC (0.5 → 0, 0.9 and above → 1) and with its training size (full from 1,000 outcomes); hand-written rules count
/// 0.4; the AI signal brings its own.</para>
/// </summary>
public static class ScoreCombiner
{
    private const double LogOddsPerPoint = 0.04;
    private const double RulesConfidence = 0.4;

    public static LeadScore Combine(ScoreInputs inputs, TierThresholds thresholds, ScoreWeights weights)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(thresholds);
        ArgumentNullException.ThrowIfNull(weights);
        var ai = inputs.Ai is { } signal
            ? signal with { Value = Math.Clamp(signal.Value, 0, 100), Confidence = Math.Clamp(signal.Confidence, 0, 1) }
            : null;
        var aiWeight = ai is null ? 0 : weights.Ai * ai.Confidence;
        return inputs.Model is { } model
            ? WithModel(inputs.Rules, inputs.RulesBaseScore, model, ai, aiWeight, thresholds, weights)
            : RulesOnly(inputs.Rules, ai, aiWeight, thresholds);
    }

    private static LeadScore WithModel(
        RulesScore rules, int rulesBase, ModelSignal model, AiSignal? ai, double aiWeight, TierThresholds thresholds, ScoreWeights weights)
    {
        var probability = model.Prediction.Probability;
        var bounded = Math.Clamp(probability, 1e-6, 1 - 1e-6);
        var logit = Math.Log(bounded / (1 - bounded))
            + (weights.Rules * LogOddsPerPoint * (rules.Score - rulesBase))
            + (ai is null ? 0 : aiWeight * LogOddsPerPoint * (ai.Value - 50));
        var adjusted = 1 / (1 + Math.Exp(-logit));
        var slope = 100 * adjusted * (1 - adjusted); // points of value per unit of log-odds, here

        var factors = model.Prediction.Up.Concat(model.Prediction.Down)
            .Select(f => Factor(f.Name, f.LogOdds * slope))
            .Concat(rules.Fired.Select(r => Factor(r.Label, r.Points * weights.Rules * LogOddsPerPoint * slope)))
            .Concat(ai is null ? [] : [Factor(AiName(ai), (ai.Value - 50) * aiWeight * LogOddsPerPoint * slope)]);

        var modelConfidence = Math.Clamp((model.ValidationAuc - 0.5) / 0.4, 0, 1) * Math.Min(1, Math.Sqrt(model.Samples / 1_000.0));
        var confidence = WeightedMean((1, modelConfidence), (weights.Rules, RulesConfidence), (aiWeight, ai?.Confidence ?? 0));
        var value = (int)Math.Round(100 * adjusted, MidpointRounding.AwayFromZero);
        return new LeadScore(value, thresholds.TierOf(value), Math.Round(probability, 4), confidence, TopFactors(factors), model.Label);
    }

    private static LeadScore RulesOnly(RulesScore rules, AiSignal? ai, double aiWeight, TierThresholds thresholds)
    {
        var total = 1 + aiWeight;
        var exact = (rules.Score + (ai is null ? 0 : aiWeight * ai.Value)) / total;
        // A rule's points and the AI's pull away from the rules score are each diluted by the AI's share.
        var factors = rules.Fired.Select(r => Factor(r.Label, r.Points / total))
            .Concat(ai is null ? [] : [Factor(AiName(ai), (ai.Value - rules.Score) * aiWeight / total)]);
        var confidence = WeightedMean((1, RulesConfidence), (aiWeight, ai?.Confidence ?? 0));
        var value = (int)Math.Round(exact, MidpointRounding.AwayFromZero);
        return new LeadScore(value, thresholds.TierOf(value), null, confidence, TopFactors(factors), rules.RuleSet);
    }

    private static (string Name, double Points) Factor(string name, double points) => (name, points);

    private static string AiName(AiSignal ai) => string.IsNullOrWhiteSpace(ai.Reason) ? "AI assessment" : $"AI assessment: {ai.Reason.Trim()}";

    private static ScoreFactor[] TopFactors(IEnumerable<(string Name, double Points)> factors)
    {
        var list = factors.Where(f => Math.Abs(f.Points) >= 0.05).ToArray();
        return list.Where(f => f.Points > 0).OrderByDescending(f => f.Points).Take(3)
            .Select(f => new ScoreFactor(f.Name, FactorDirection.Up, Math.Round(f.Points, 1)))
            .Concat(list.Where(f => f.Points < 0).OrderBy(f => f.Points).Take(3)
                .Select(f => new ScoreFactor(f.Name, FactorDirection.Down, Math.Round(-f.Points, 1))))
            .ToArray();
    }

    private static double WeightedMean(params (double Weight, double Confidence)[] parts)
    {
        var total = parts.Sum(p => p.Weight);
        return total <= 0 ? 0 : Math.Round(parts.Sum(p => p.Weight * p.Confidence) / total, 2);
    }
}
