using StreamFlow.Core.Scoring.Model;

namespace StreamFlow.Core.Scoring.ColdStart;

/// <summary>
/// What an industry's businesses know together: won and decided leads per feature value, added up over at least
/// <see cref="MinimumBusinesses"/> businesses, each value kept only when that many businesses had it. It scores a lead
/// as a damped naive Bayes: the industry's base rate, moved by each of the lead's values by how far that value's
/// smoothed rate is from the base, the moves damped by one over the square root of how many there are (the features
/// are not independent). Nothing in it names a business or holds a lead.
/// </summary>
public sealed record IndustryPool(
    string Industry,
    int Businesses,
    int Won,
    int Decided,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, BucketTally>> Features,
    double ValidationAuc,
    DateTimeOffset BuiltAt,
    TierThresholds? Thresholds = null)
{
    public const int MinimumBusinesses = 3;

    /// <summary>Leads of a value count as this many leads at the base rate before their own rate shows (m-estimate).</summary>
    private const double Smoothing = 20;

    public string Label => $"industry-pool:{Industry}@{BuiltAt:yyyy-MM-dd}";

    /// <summary>
    /// The pool of the given businesses' tallies, or null when fewer than <paramref name="minimumBusinesses"/> have
    /// outcomes (only the builder's leave-one-out check asks for fewer: its pools are measured, never served).
    /// </summary>
    public static IndustryPool? From(
        string industry, IReadOnlyCollection<OutcomeTallies> businesses, double validationAuc, DateTimeOffset builtAt, int minimumBusinesses = MinimumBusinesses)
    {
        ArgumentNullException.ThrowIfNull(businesses);
        var contributing = businesses.Where(b => b.Decided > 0).ToList();
        if (contributing.Count < Math.Max(1, minimumBusinesses))
        {
            return null;
        }

        var features = contributing
            .SelectMany(b => b.Buckets())
            .GroupBy(b => (b.Feature, b.Bucket))
            .Where(g => g.Count() >= Math.Max(1, minimumBusinesses))
            .GroupBy(g => g.Key.Feature, StringComparer.Ordinal)
            .ToDictionary(
                f => f.Key,
                f => (IReadOnlyDictionary<string, BucketTally>)f.ToDictionary(
                    g => g.Key.Bucket, g => new BucketTally(g.Sum(b => b.Won), g.Sum(b => b.Decided), g.Count()), StringComparer.Ordinal),
                StringComparer.Ordinal);
        return new IndustryPool(
            industry, contributing.Count, contributing.Sum(b => b.Won), contributing.Sum(b => b.Decided), features, validationAuc, builtAt);
    }

    public ConversionPrediction Predict(LeadProfile lead)
    {
        var baseRate = (Won + 1.0) / (Decided + 2.0);
        var baseLogit = Logit(baseRate);
        var moves = new List<ModelFactor>();
        foreach (var (feature, bucket, display) in OutcomeTallies.BucketsOf(lead))
        {
            if (Features.TryGetValue(feature, out var buckets) && buckets.TryGetValue(bucket, out var tally))
            {
                var rate = (tally.Won + (Smoothing * baseRate)) / (tally.Decided + Smoothing);
                moves.Add(new ModelFactor(feature, display, Logit(rate) - baseLogit));
            }
        }

        var damping = moves.Count == 0 ? 0 : 1 / Math.Sqrt(moves.Count);
        var factors = moves.Select(m => m with { LogOdds = m.LogOdds * damping }).ToList();
        var probability = 1 / (1 + Math.Exp(-(baseLogit + factors.Sum(f => f.LogOdds))));
        return new ConversionPrediction(
            probability,
            [.. factors.Where(f => f.LogOdds > 0).OrderByDescending(f => f.LogOdds).Take(3)],
            [.. factors.Where(f => f.LogOdds < 0).OrderBy(f => f.LogOdds).Take(3)]);
    }

    private static double Logit(double p)
    {
        var bounded = Math.Clamp(p, 1e-6, 1 - 1e-6);
        return Math.Log(bounded / (1 - bounded));
    }
}
