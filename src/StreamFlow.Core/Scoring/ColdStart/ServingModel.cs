using StreamFlow.Core.Scoring.Model;

namespace StreamFlow.Core.Scoring.ColdStart;

/// <summary>
/// The learned part of a lead's score: the business's own model, its industry's pool, or both. Together their
/// log-odds are blended with the own model's weight n / (n + <see cref="EqualWeightAt"/>), n its training outcomes, so a
/// business moves from the industry's knowledge to its own as its outcomes accumulate.
/// </summary>
public static class ServingModel
{
    /// <summary>Outcomes at which the own model and the pool count the same (bench/scoring coldstart: from about 500 outcomes the own model alone is as good).</summary>
    public const int EqualWeightAt = 300;

    public static double OwnWeight(int outcomes) => outcomes / (double)(outcomes + EqualWeightAt);

    public static ModelSignal? Signal(ConversionModel? own, IndustryPool? pool, LeadProfile lead)
    {
        ArgumentNullException.ThrowIfNull(lead);
        if (own is null)
        {
            return pool is null ? null : new ModelSignal(pool.Predict(lead), pool.Label, PoolAuc(pool), pool.Decided);
        }

        var owned = own.Predict(lead);
        if (pool is null)
        {
            return new ModelSignal(owned, own.Label, own.Report.Auc, own.Report.Samples);
        }

        var w = OwnWeight(own.Report.Samples);
        var pooled = pool.Predict(lead);
        var logit = (w * Logit(owned.Probability)) + ((1 - w) * Logit(pooled.Probability));
        var factors = owned.Up.Concat(owned.Down).Select(f => f with { LogOdds = f.LogOdds * w })
            .Concat(pooled.Up.Concat(pooled.Down).Select(f => f with { LogOdds = f.LogOdds * (1 - w) }))
            .GroupBy(f => (f.Feature, f.Value))
            .Select(g => g.First() with { LogOdds = g.Sum(f => f.LogOdds) })
            .ToList();
        var prediction = new ConversionPrediction(
            1 / (1 + Math.Exp(-logit)),
            [.. factors.Where(f => f.LogOdds > 0).OrderByDescending(f => f.LogOdds).Take(3)],
            [.. factors.Where(f => f.LogOdds < 0).OrderBy(f => f.LogOdds).Take(3)]);
        return new ModelSignal(prediction, $"{own.Label}+{pool.Label}", (w * own.Report.Auc) + ((1 - w) * PoolAuc(pool)), own.Report.Samples);
    }

    /// <summary>The cut-offs the serving signal's probabilities were validated with.</summary>
    public static TierThresholds? Thresholds(ConversionModel? own, IndustryPool? pool) => own?.Report.Thresholds ?? pool?.Thresholds;

    // A pool never measured on a business it did not see is trusted as little as a coin.
    private static double PoolAuc(IndustryPool pool) => double.IsNaN(pool.ValidationAuc) ? 0.5 : pool.ValidationAuc;

    private static double Logit(double p)
    {
        var bounded = Math.Clamp(p, 1e-6, 1 - 1e-6);
        return Math.Log(bounded / (1 - bounded));
    }
}
