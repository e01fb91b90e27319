namespace StreamFlow.Core.Scoring;

/// <summary>How hot a lead is.</summary>
public enum ScoreTier
{
    Hot,
    Warm,
    Cold,
}

/// <summary>
/// A tenant's tier cut-offs on the 0–100 score value: at or above <see cref="Hot"/> is hot, at or above
/// <see cref="Warm"/> warm, else cold.
/// </summary>
public sealed record TierThresholds(double Hot, double Warm)
{
    /// <summary>Without a trained model: hot from 70, warm from 40.</summary>
    public static TierThresholds Default { get; } = new(70, 40);

    public ScoreTier TierOf(double value) => value >= Hot ? ScoreTier.Hot : value >= Warm ? ScoreTier.Warm : ScoreTier.Cold;

    /// <summary>
    /// Thresholds chosen from out-of-sample predictions of a model (its cross-validation), on probability × 100:
    /// <list type="bullet">
    /// <item><b>hot</b> starts at the lowest probability above which at least <paramref name="hotPrecision"/> (0.9) of
    /// the validation leads converted, counting at least <paramref name="minimumHotLeads"/> leads, so the hot tier is
    /// as large as it can be while nine in ten of its leads convert; if no cut reaches that precision, the top 10 %;</item>
    /// <item><b>warm</b> starts at the overall conversion rate: a warm lead is likelier than average to convert.</item>
    /// </list>
    /// Values are the combined score, which the model dominates when there is one (see <see cref="ScoreCombiner"/>).
    /// </summary>
    public static TierThresholds FromValidation(
        IReadOnlyList<double> probabilities, IReadOnlyList<bool> converted, double hotPrecision = 0.9, int minimumHotLeads = 10)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(converted);
        if (probabilities.Count == 0)
        {
            return Default;
        }

        var order = Enumerable.Range(0, probabilities.Count).OrderByDescending(i => probabilities[i]).ToArray();
        double? hotCut = null;
        var convertedAbove = 0;
        for (var k = 0; k < order.Length; k++)
        {
            convertedAbove += converted[order[k]] ? 1 : 0;
            var isLastOfTie = k == order.Length - 1 || probabilities[order[k + 1]] < probabilities[order[k]];
            if (isLastOfTie && k + 1 >= minimumHotLeads && convertedAbove >= hotPrecision * (k + 1))
            {
                hotCut = probabilities[order[k]];
            }
        }

        hotCut ??= probabilities[order[Math.Min(order.Length - 1, order.Length / 10)]];
        var baseRate = converted.Count(c => c) / (double)converted.Count;
        var hot = Math.Round(100 * hotCut.Value, 1);
        var warm = Math.Min(Math.Round(100 * baseRate, 1), hot - 0.1);
        return new TierThresholds(hot, warm);
    }
}
