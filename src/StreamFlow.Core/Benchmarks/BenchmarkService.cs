using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Benchmarks;

/// <summary>Every business's position, for the provider: the window measured and each business on each figure.</summary>
public sealed record BenchmarkReport(DateTimeOffset Since, DateTimeOffset AsOf, int MinimumCohort, IReadOnlyList<BenchmarkPosition> Positions);

/// <summary>One business's own position, for its owner: its figures against its cohorts, nothing of any other business.</summary>
public sealed record OwnBenchmark(DateTimeOffset Since, DateTimeOffset AsOf, int MinimumCohort, BenchmarkPosition Position);

/// <summary>Peer benchmarks over the last 90 days of leads: cohorts by industry and size band (docs/benchmarks.md).</summary>
public sealed class BenchmarkService(StreamFlowDatabase database, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromDays(90);

    public async Task<BenchmarkReport> ReportAsync(CancellationToken cancellationToken)
    {
        var (since, asOf, positions) = await PlaceAllAsync(cancellationToken);
        return new BenchmarkReport(since, asOf, BenchmarkCohorts.MinimumCohort, positions);
    }

    public async Task<Result<OwnBenchmark>> ForTenantAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var (since, asOf, positions) = await PlaceAllAsync(cancellationToken);
        var own = positions.FirstOrDefault(p => p.TenantId == tenantId);
        return own is null
            ? Problem.NotFound("An active business")
            : new OwnBenchmark(since, asOf, BenchmarkCohorts.MinimumCohort, own);
    }

    private async Task<(DateTimeOffset Since, DateTimeOffset AsOf, IReadOnlyList<BenchmarkPosition> Positions)> PlaceAllAsync(CancellationToken cancellationToken)
    {
        var asOf = time.GetUtcNow();
        var since = asOf - Window;
        var rows = await database.InPlatformAsync(scope => BenchmarkStore.FiguresAsync(scope, since, asOf), cancellationToken);
        var businesses = rows.Select(r => new TenantFigures(r.TenantId, r.TenantName, r.Industry, r.ActiveUsers, new Dictionary<string, double?>
        {
            ["leadVolume"] = r.LeadVolume,
            ["firstContactHours"] = r.FirstContactHours,
            ["conversionRate"] = r.ConversionRate,
            ["wonRevenuePerLead"] = r.WonRevenuePerLead,
            ["averageJobValue"] = r.AverageJobValue,
            ["aiSpendShare"] = r.AiSpendShare,
        })).ToList();
        return (since, asOf, BenchmarkCohorts.Place(businesses));
    }
}
