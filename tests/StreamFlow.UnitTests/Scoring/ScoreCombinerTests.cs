using System.Text.Json;
using StreamFlow.Core.Json;
using StreamFlow.Core.Scoring;
using StreamFlow.Core.Scoring.Model;
using StreamFlow.Core.Scoring.Rules;

namespace StreamFlow.UnitTests.Scoring;

public sealed class ScoreCombinerTests
{
    private static readonly RulesScore Rules = new(65, [new FiredRule("Referred", 20), new FiredRule("Has an email address", 10), new FiredRule("Just price shopping", -10)], "rules-hvac@1");

    private static readonly ModelSignal Model = new(
        new ConversionPrediction(
            0.8,
            [new ModelFactor("Lead Source", "Reference", 1.2), new ModelFactor("Total Time Spent on Website", "1,520", 0.9), new ModelFactor("Visits", "4", 0.2), new ModelFactor("City", "Austin", 0.1)],
            [new ModelFactor("Last Activity", "Email Bounced", -0.7)]),
        "conversion@3",
        0.91,
        6_547);

    private static LeadScore Combine(ScoreInputs inputs, TierThresholds? thresholds = null) =>
        ScoreCombiner.Combine(inputs, thresholds ?? TierThresholds.Default, ScoreWeights.Default);

    [Fact]
    public void Without_a_model_the_value_is_the_rules_score_and_there_is_no_probability()
    {
        var score = Combine(new ScoreInputs(Rules, 30));

        Assert.Equal((65, ScoreTier.Warm, (double?)null, "rules-hvac@1"), (score.Value, score.Tier, score.Probability, score.Model));
        Assert.Equal(["Referred", "Has an email address", "Just price shopping"], score.Factors.Select(f => f.Name));
        Assert.Equal(FactorDirection.Down, score.Factors[^1].Direction);
    }

    [Fact]
    public void With_a_model_and_neutral_rules_the_value_is_the_probability()
    {
        var score = Combine(new ScoreInputs(Rules with { Score = 30, Fired = [] }, 30, Model), new TierThresholds(79.6, 38));

        Assert.Equal((80, ScoreTier.Hot, (double?)0.8, "conversion@3"), (score.Value, score.Tier, score.Probability, score.Model));
    }

    [Fact]
    public void Rules_above_their_base_nudge_the_model_up()
    {
        var neutral = Combine(new ScoreInputs(Rules with { Score = 30 }, 30, Model));
        var favourable = Combine(new ScoreInputs(Rules, 30, Model));

        Assert.True(favourable.Value > neutral.Value);
        Assert.Equal(0.8, favourable.Probability);
    }

    [Fact]
    public void At_most_three_factors_push_each_way_strongest_first()
    {
        var score = Combine(new ScoreInputs(Rules, 30, Model));

        var up = score.Factors.Where(f => f.Direction == FactorDirection.Up).ToArray();
        Assert.Equal(["Lead Source: Reference", "Total Time Spent on Website: 1,520", "Visits: 4"], up.Select(f => f.Name));
        Assert.True(up[0].Weight >= up[1].Weight && up[1].Weight >= up[2].Weight);
        Assert.Equal(["Last Activity: Email Bounced", "Just price shopping"], score.Factors.Where(f => f.Direction == FactorDirection.Down).Select(f => f.Name));
    }

    [Fact]
    public void A_confident_ai_signal_moves_the_score_and_is_named_as_a_factor()
    {
        var without = Combine(new ScoreInputs(Rules, 30));
        var with = Combine(new ScoreInputs(Rules, 30, Ai: new AiSignal(95, 1, "Asked for a quote this week")));

        Assert.True(with.Value > without.Value);
        Assert.Contains(with.Factors, f => f.Name == "AI assessment: Asked for a quote this week" && f.Direction == FactorDirection.Up);
    }

    [Fact]
    public void An_ai_signal_without_confidence_changes_nothing()
    {
        var without = Combine(new ScoreInputs(Rules, 30, Model));
        var with = Combine(new ScoreInputs(Rules, 30, Model, new AiSignal(0, 0)));

        Assert.Equal(without, with, new ScoreComparer());
    }

    [Fact]
    public void A_validated_model_raises_confidence_above_rules_alone()
    {
        var rulesOnly = Combine(new ScoreInputs(Rules, 30));
        var withModel = Combine(new ScoreInputs(Rules, 30, Model));

        Assert.Equal(0.4, rulesOnly.Confidence);
        Assert.InRange(withModel.Confidence, 0.85, 1);
    }

    [Fact]
    public void The_score_serializes_in_the_api_shape()
    {
        var score = Combine(new ScoreInputs(Rules with { Score = 30, Fired = [] }, 30, Model), new TierThresholds(79.6, 38));

        var json = JsonSerializer.Serialize(score, StreamFlowJson.Options);

        Assert.StartsWith("{\"value\":80,\"tier\":\"hot\",\"probability\":0.8,\"confidence\":", json, StringComparison.Ordinal);
        Assert.Contains("{\"name\":\"Lead Source: Reference\",\"direction\":\"up\",\"weight\":", json, StringComparison.Ordinal);
        Assert.EndsWith(",\"model\":\"conversion@3\"}", json, StringComparison.Ordinal);
    }

    private sealed class ScoreComparer : IEqualityComparer<LeadScore>
    {
        public bool Equals(LeadScore? x, LeadScore? y) =>
            x is not null && y is not null && (x.Value, x.Tier, x.Probability, x.Model) == (y.Value, y.Tier, y.Probability, y.Model)
            && x.Factors.SequenceEqual(y.Factors);

        public int GetHashCode(LeadScore obj) => 0;
    }
}
