using StreamFlow.Core.Benchmarks;

namespace StreamFlow.UnitTests.Benchmarks;

public sealed class BenchmarkCohortsTests
{
    [Fact]
    public void Four_peers_are_suppressed_with_the_reason_and_five_are_placed()
    {
        var four = Businesses("roofing", users: 3, 10, 20, 30, 40);
        var five = Businesses("roofing", users: 3, 10, 20, 30, 40, 50);

        var suppressed = Figure(BenchmarkCohorts.Place(four)[0], "leadVolume");
        var placed = Figure(BenchmarkCohorts.Place(five)[0], "leadVolume");

        Assert.Null(suppressed.P50);
        Assert.Null(suppressed.PercentileRank);
        Assert.Contains("Fewer than 5 roofing businesses", suppressed.Suppressed, StringComparison.Ordinal);
        Assert.Equal(5, placed.CohortSize);
        Assert.Equal(30, placed.P50);
        Assert.Equal(10, placed.PercentileRank);
    }

    [Fact]
    public void Quartiles_interpolate_like_percentile_cont()
    {
        double[] sorted = [10, 20, 30, 40, 50];

        Assert.Equal(20, BenchmarkCohorts.Percentile(sorted, 0.25));
        Assert.Equal(46, BenchmarkCohorts.Percentile(sorted, 0.9), 6);
        Assert.Equal(15, BenchmarkCohorts.Percentile([10, 20], 0.5));
    }

    [Fact]
    public void Ties_count_half_in_the_percentile_rank()
    {
        Assert.Equal(50, BenchmarkCohorts.PercentileRank([1, 2, 2, 3], 2));
    }

    [Fact]
    public void A_size_band_under_five_falls_back_to_the_whole_industry()
    {
        var small = Businesses("hvac", users: 2, 1, 2, 3);
        var large = Businesses("hvac", users: 30, 4, 5, 6);

        var position = BenchmarkCohorts.Place([.. small, .. large])[0];

        Assert.Equal("1-5 users", position.SizeBand);
        Assert.Equal("hvac · all sizes", Figure(position, "leadVolume").Cohort);
        Assert.Equal(6, Figure(position, "leadVolume").CohortSize);
    }

    [Fact]
    public void A_full_size_band_is_its_own_cohort_and_other_industries_never_mix_in()
    {
        var plumbers = Businesses("plumbing", users: 8, 1, 2, 3, 4, 5);
        var electricians = Businesses("electrical", users: 8, 100, 200, 300, 400, 500);

        var position = BenchmarkCohorts.Place([.. plumbers, .. electricians])[0];

        Assert.Equal("plumbing · 6-20 users", Figure(position, "leadVolume").Cohort);
        Assert.Equal(4.6, Figure(position, "leadVolume").P90!.Value, 6);
    }

    [Fact]
    public void A_business_without_a_figure_sits_out_that_cohort_but_still_sees_it()
    {
        var businesses = Businesses("landscaping", users: 1, 1, 2, 3, 4, 5).ToList();
        businesses.Add(new TenantFigures(Guid.NewGuid(), "New", "landscaping", 1, new Dictionary<string, double?> { ["leadVolume"] = null }));

        var newcomer = Figure(BenchmarkCohorts.Place(businesses)[^1], "leadVolume");

        Assert.Null(newcomer.Value);
        Assert.Null(newcomer.PercentileRank);
        Assert.Equal(5, newcomer.CohortSize);
        Assert.Equal(3, newcomer.P50);
    }

    private static CohortFigure Figure(BenchmarkPosition position, string figure) => position.Figures.Single(f => f.Figure == figure);

    private static List<TenantFigures> Businesses(string industry, long users, params double[] leadVolumes) =>
        leadVolumes.Select((volume, i) => new TenantFigures(Guid.NewGuid(), $"{industry} {i}", industry, users,
            new Dictionary<string, double?> { ["leadVolume"] = volume })).ToList();
}
