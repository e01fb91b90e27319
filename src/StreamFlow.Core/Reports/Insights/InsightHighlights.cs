using StreamFlow.Core.Leads.Pipeline;

namespace StreamFlow.Core.Reports.Insights;

/// <summary>
/// The few things of <see cref="BusinessInsight"/> an owner's report leads with: the source and the person who brought
/// the most won revenue, the source that converts worst (with enough decided leads to say so), the open stage leads
/// wait longest in, the strongest and weakest season, and how far the revenue forecast has been off.
/// </summary>
public sealed record InsightHighlights(
    string Currency,
    SourceInsight? TopSource,
    SourceInsight? WeakestSource,
    OwnerInsight? TopOwner,
    StageVelocity? SlowestStage,
    string SeasonalityMethod,
    SeasonalIndex? StrongestSeason,
    SeasonalIndex? WeakestSeason,
    double? ForecastError,
    int ForecastChecks)
{
    /// <summary>Below this many decided leads a source's conversion says more about luck than about the source.</summary>
    public const int MinDecidedToCompare = 10;

    public static InsightHighlights From(BusinessInsight insight)
    {
        ArgumentNullException.ThrowIfNull(insight);
        var top = insight.BySource.Where(s => s.WonRevenue > 0).OrderByDescending(s => s.WonRevenue).ThenBy(s => s.Source, StringComparer.Ordinal).FirstOrDefault();
        var compared = insight.BySource.Where(s => s.Decided >= MinDecidedToCompare && s.Conversion is not null).ToList();
        var weakest = compared.Count < 2 ? null : compared.OrderBy(s => s.Conversion).ThenBy(s => s.Source, StringComparer.Ordinal).First();
        var owner = insight.ByOwner.Where(o => o.OwnerId is not null && o.WonRevenue > 0).OrderByDescending(o => o.WonRevenue).FirstOrDefault();
        var slowest = insight.StageVelocity.Where(s => s.Kind == StageKind.Open && s.MedianDays is > 0).OrderByDescending(s => s.MedianDays).FirstOrDefault();
        var seasons = insight.Seasonality.Indexes.Count > 1 && insight.Seasonality.Indexes.Any(i => i.Index != 1) ? insight.Seasonality.Indexes : [];
        return new InsightHighlights(
            insight.Currency, top, weakest, owner, slowest, insight.Seasonality.Method,
            seasons.OrderByDescending(i => i.Index).FirstOrDefault(), seasons.OrderBy(i => i.Index).FirstOrDefault(),
            insight.ForecastAccuracy.MeanAbsolutePercentError, insight.ForecastAccuracy.Checks.Count(c => c.ErrorPercent is not null));
    }
}
