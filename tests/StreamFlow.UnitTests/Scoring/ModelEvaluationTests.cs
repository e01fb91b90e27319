using StreamFlow.Core.Scoring;
using StreamFlow.Core.Scoring.Model;

namespace StreamFlow.UnitTests.Scoring;

public sealed class ModelEvaluationTests
{
    private static ConversionModelReport Report(double auc) =>
        new(1_000, 400, 600, auc, auc, auc, 0.8, 5, TierThresholds.Default, 0.9, 0.2, [], []);

    [Fact]
    public void Auc_counts_pairs_ranked_right_and_ties_as_half()
    {
        Assert.Equal(1, RankingMetrics.Auc([0.1, 0.2, 0.8, 0.9], [false, false, true, true]));
        Assert.Equal(0.875, RankingMetrics.Auc([0.1, 0.5, 0.5, 0.9], [false, false, true, true]), 10);
    }

    [Fact]
    public void Capture_is_the_share_of_conversions_in_the_top_leads()
    {
        double[] scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0];
        bool[] converted = [true, false, true, false, false, false, true, false, false, true];

        Assert.Equal(0.25, RankingMetrics.CaptureAt(scores, converted, 0.2));
        Assert.Equal(0.5, RankingMetrics.CaptureAt(scores, converted, 0.4));
    }

    [Fact]
    public void The_hot_threshold_is_the_lowest_cut_with_nine_in_ten_converted()
    {
        var probabilities = Enumerable.Range(0, 100).Select(i => i / 100.0).ToArray();
        var converted = Enumerable.Range(0, 100).Select(i => i >= 70 || (i >= 50 && i % 4 == 0)).ToArray();

        var thresholds = TierThresholds.FromValidation(probabilities, converted);

        var hot = probabilities.Select((p, i) => (p, i)).Where(x => 100 * x.p >= thresholds.Hot).ToArray();
        Assert.True(hot.Count(x => converted[x.i]) >= 0.9 * hot.Length);
        Assert.Equal(35, thresholds.Warm);
        Assert.InRange(thresholds.Hot, 55, 70);
    }

    [Fact]
    public void A_model_that_validates_worse_is_not_promoted()
    {
        var decision = ModelPromotion.Decide(Report(0.88), Report(0.90));

        Assert.False(decision.Promote);
        Assert.Contains("worse", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_within_the_noise_of_the_serving_one_is_promoted()
    {
        Assert.True(ModelPromotion.Decide(Report(0.898), Report(0.90)).Promote);
    }

    [Fact]
    public void The_first_model_is_always_promoted()
    {
        Assert.True(ModelPromotion.Decide(Report(0.6), null).Promote);
    }
}
