namespace StreamFlow.Core.Scoring.Governance;

/// <summary>The statistics of model governance, on plain counts and scores (docs/model-governance.md).</summary>
public static class GovernanceMath
{
    private const double Floor = 0.0001;

    /// <summary>
    /// Population stability index of <paramref name="actual"/> against <paramref name="expected"/> over the union of
    /// their bins: Σ (a − e) · ln(a / e) with shares floored at 0.01 %. Below 0.1 stable, 0.1–0.25 shifting, above 0.25 shifted.
    /// </summary>
    public static double PopulationStability(IReadOnlyDictionary<string, long> expected, IReadOnlyDictionary<string, long> actual)
    {
        double expectedTotal = expected.Values.Sum(), actualTotal = actual.Values.Sum();
        if (expectedTotal == 0 || actualTotal == 0)
        {
            return 0;
        }

        return expected.Keys.Union(actual.Keys).Sum(bin =>
        {
            var e = Math.Max(expected.GetValueOrDefault(bin) / expectedTotal, Floor);
            var a = Math.Max(actual.GetValueOrDefault(bin) / actualTotal, Floor);
            return (a - e) * Math.Log(a / e);
        });
    }

    /// <summary>
    /// Expected calibration error of scores read as probabilities (score / 100): the gap between the mean predicted and
    /// the observed conversion in ten equal-width bins, weighted by the bins' sizes.
    /// </summary>
    public static double CalibrationError(IReadOnlyList<double> probabilities, IReadOnlyList<bool> converted)
    {
        if (probabilities.Count == 0)
        {
            return double.NaN;
        }

        var bins = Enumerable.Range(0, probabilities.Count).GroupBy(i => Math.Min(9, (int)(probabilities[i] * 10)));
        return bins.Sum(bin => bin.Count() / (double)probabilities.Count
            * Math.Abs(bin.Average(i => probabilities[i]) - bin.Average(i => converted[i] ? 1.0 : 0.0)));
    }

    /// <summary>The lowest group rate over the highest (1 = parity); null when fewer than two groups qualify or every rate is 0.</summary>
    public static double? DisparityRatio(IEnumerable<double> rates)
    {
        var list = rates.ToList();
        return list.Count < 2 || list.Max() == 0 ? null : list.Min() / list.Max();
    }
}
