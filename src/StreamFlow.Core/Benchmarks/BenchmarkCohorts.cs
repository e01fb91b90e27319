namespace StreamFlow.Core.Benchmarks;

/// <summary>One business's figures as measured; a null figure means there was nothing to measure.</summary>
public sealed record TenantFigures(
    Guid TenantId, string TenantName, string Industry, long ActiveUsers, IReadOnlyDictionary<string, double?> Values);

/// <summary>
/// A business's place among its peers on one figure: its value, its percentile rank and the cohort's quartiles and
/// 90th percentile — or, when fewer than the minimum of businesses report the figure, only the reason it is suppressed.
/// </summary>
public sealed record CohortFigure(
    string Figure, double? Value, string? Cohort, int CohortSize, double? PercentileRank, double? P25, double? P50, double? P75, double? P90,
    string? Suppressed);

public sealed record BenchmarkPosition(Guid TenantId, string TenantName, string Industry, string SizeBand, IReadOnlyList<CohortFigure> Figures);

/// <summary>
/// Groups businesses into cohorts — industry and size band, else the whole industry — and places each on every
/// figure. Only order statistics leave a cohort (never a sum or a mean) and only from at least
/// <see cref="MinimumCohort"/> businesses, so no single business's figure can be recovered by subtraction.
/// </summary>
public static class BenchmarkCohorts
{
    public const int MinimumCohort = 5;

    public static readonly IReadOnlyList<string> Figures =
        ["leadVolume", "firstContactHours", "conversionRate", "wonRevenuePerLead", "averageJobValue", "aiSpendShare"];

    public static string SizeBandOf(long activeUsers) => activeUsers switch
    {
        <= 5 => "1-5 users",
        <= 20 => "6-20 users",
        _ => "21+ users",
    };

    public static IReadOnlyList<BenchmarkPosition> Place(IReadOnlyList<TenantFigures> businesses)
    {
        var byIndustry = businesses.ToLookup(b => b.Industry, StringComparer.Ordinal);
        var byBand = businesses.ToLookup(b => (b.Industry, SizeBandOf(b.ActiveUsers)));
        var samples = new Dictionary<(string Cohort, string Figure), double[]>();

        return businesses.Select(business =>
        {
            var band = SizeBandOf(business.ActiveUsers);
            var figures = Figures.Select(figure =>
            {
                var value = business.Values.GetValueOrDefault(figure);
                var bandCohort = $"{business.Industry} · {band}";
                var bandValues = Sample(samples, bandCohort, figure, byBand[(business.Industry, band)]);
                if (bandValues.Length >= MinimumCohort)
                {
                    return Place(figure, value, bandCohort, bandValues);
                }

                var industryCohort = $"{business.Industry} · all sizes";
                var industryValues = Sample(samples, industryCohort, figure, byIndustry[business.Industry]);
                return industryValues.Length >= MinimumCohort
                    ? Place(figure, value, industryCohort, industryValues)
                    : new CohortFigure(figure, value, null, 0, null, null, null, null, null,
                        $"Fewer than {MinimumCohort} {business.Industry} businesses report this figure.");
            }).ToList();
            return new BenchmarkPosition(business.TenantId, business.TenantName, business.Industry, band, figures);
        }).ToList();
    }

    /// <summary>Linear interpolation between closest ranks, as PostgreSQL's percentile_cont.</summary>
    public static double Percentile(double[] sorted, double fraction)
    {
        var position = fraction * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = (int)Math.Ceiling(position);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }

    /// <summary>The share of the cohort below the value, counting ties as half, in percent.</summary>
    public static double PercentileRank(double[] sorted, double value)
    {
        var below = sorted.Count(v => v < value);
        var equal = sorted.Count(v => v == value);
        return Math.Round(100.0 * (below + 0.5 * equal) / sorted.Length, 1);
    }

    private static CohortFigure Place(string figure, double? value, string cohort, double[] sorted) => new(
        figure, value, cohort, sorted.Length, value is { } v ? PercentileRank(sorted, v) : null,
        Percentile(sorted, 0.25), Percentile(sorted, 0.5), Percentile(sorted, 0.75), Percentile(sorted, 0.9), null);

    private static double[] Sample(Dictionary<(string, string), double[]> samples, string cohort, string figure, IEnumerable<TenantFigures> members)
    {
        if (!samples.TryGetValue((cohort, figure), out var sorted))
        {
            sorted = members.Select(m => m.Values.GetValueOrDefault(figure)).OfType<double>().Order().ToArray();
            samples[(cohort, figure)] = sorted;
        }

        return sorted;
    }
}
