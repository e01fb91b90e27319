using StreamFlow.Core.Leads.Import;
using StreamFlow.Core.Scoring;
using StreamFlow.Core.Scoring.ColdStart;
using StreamFlow.Core.Scoring.Model;
using Xunit;

namespace StreamFlow.UnitTests.Scoring;

public sealed class ColdStartTests(SyntheticModelFixture fixture) : IClassFixture<SyntheticModelFixture>
{
    private static readonly DateTimeOffset BuiltAt = new(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_pool_needs_three_businesses_with_outcomes()
    {
        var two = new[] { Business(1), Business(2), OutcomeTallies.Of([]) };
        Assert.Null(IndustryPool.From("hvac", two, double.NaN, BuiltAt));

        var pool = IndustryPool.From("hvac", [Business(1), Business(2), Business(3)], double.NaN, BuiltAt);
        Assert.NotNull(pool);
        Assert.Equal(3, pool.Businesses);
        Assert.Equal(1200, pool.Decided);
    }

    [Fact]
    public void A_value_only_some_businesses_had_never_leaves_them()
    {
        var pool = IndustryPool.From("hvac", [Business(1), Business(2), Business(3)], double.NaN, BuiltAt)!;

        // Customer codes are unique to one business; localities are never pooled.
        Assert.DoesNotContain("Customer Code", pool.Features.Keys);
        Assert.DoesNotContain("City", pool.Features.Keys);
        Assert.DoesNotContain("Postal Code", pool.Features.Keys);
        Assert.All(pool.Features.Values.SelectMany(b => b.Values), tally => Assert.True(tally.Businesses >= 3));
        Assert.Contains("premium", pool.Features["Plan"].Keys);
        Assert.Contains("referral", pool.Features["Lead Source"].Keys);
    }

    [Fact]
    public void Numbers_fall_in_the_same_power_of_two_buckets_for_every_business()
    {
        Assert.Equal("0", OutcomeTallies.Bucket("Visits", AttributeValue.FromNumber(0)));
        Assert.Equal("4+", OutcomeTallies.Bucket("Visits", AttributeValue.FromNumber(5)));
        Assert.Equal("4+", OutcomeTallies.Bucket("Visits", AttributeValue.FromNumber(7.9m)));
        Assert.Equal("8+", OutcomeTallies.Bucket("Visits", AttributeValue.FromNumber(8)));
        Assert.Equal("-1024+", OutcomeTallies.Bucket("Balance", AttributeValue.FromNumber(-1500)));
        Assert.Equal("yes", OutcomeTallies.Bucket("Opted In", AttributeValue.FromBoolean(true)));
        Assert.Equal("premium", OutcomeTallies.Bucket("Plan", AttributeValue.FromText("  Premium ")));
        Assert.Null(OutcomeTallies.Bucket("City", AttributeValue.FromText("Springfield")));
        Assert.Null(OutcomeTallies.Bucket("Signed", AttributeValue.FromDate(BuiltAt)));
    }

    [Fact]
    public void The_pool_of_three_businesses_ranks_a_fourth_it_never_saw()
    {
        var pool = IndustryPool.From("hvac", [Business(1), Business(2), Business(3)], double.NaN, BuiltAt)!;
        var newcomer = SyntheticLeads.Create(600, seed: 44);

        var auc = RankingMetrics.Auc([.. newcomer.Select(e => pool.Predict(e.Lead).Probability)], [.. newcomer.Select(e => e.Converted)]);

        Assert.InRange(auc, 0.72, 1.0);
    }

    [Fact]
    public void The_pool_explains_a_score_by_the_lead_s_own_values()
    {
        var pool = IndustryPool.From("hvac", [Business(1), Business(2), Business(3)], double.NaN, BuiltAt)!;
        var premium = new LeadProfile(Source: "Referral", Attributes: new Dictionary<string, AttributeValue>
        {
            ["Plan"] = AttributeValue.FromText("Premium"),
            ["Visits"] = AttributeValue.FromNumber(25),
        });
        var basic = new LeadProfile(Source: "Ads", Attributes: new Dictionary<string, AttributeValue>
        {
            ["Plan"] = AttributeValue.FromText("Basic"),
            ["Visits"] = AttributeValue.FromNumber(0),
        });

        var hot = pool.Predict(premium);
        var cold = pool.Predict(basic);

        Assert.True(hot.Probability > cold.Probability + 0.3, $"{hot.Probability} vs {cold.Probability}");
        Assert.Contains(hot.Up, f => f.Feature == "Plan" && f.Value == "Premium");
        Assert.Contains(cold.Down, f => f.Feature == "Lead Source" && f.Value == "Ads");
        Assert.Equal("industry-pool:hvac@2026-12-01", pool.Label);
    }

    [Fact]
    public void A_new_business_is_scored_by_the_pool_and_moves_to_its_own_model_as_outcomes_accumulate()
    {
        var pool = IndustryPool.From("hvac", [Business(1), Business(2), Business(3)], 0.8, BuiltAt)!;
        var lead = fixture.Examples[0].Lead;

        var poolOnly = ServingModel.Signal(null, pool, lead)!;
        Assert.Equal(pool.Label, poolOnly.Label);
        Assert.Equal(pool.Predict(lead).Probability, poolOnly.Prediction.Probability, 9);
        Assert.Null(ServingModel.Signal(null, null, lead));

        var both = ServingModel.Signal(fixture.Model, pool, lead)!;
        var own = fixture.Model.Predict(lead).Probability;
        var pooled = pool.Predict(lead).Probability;
        Assert.InRange(both.Prediction.Probability, Math.Min(own, pooled) - 1e-9, Math.Max(own, pooled) + 1e-9);
        Assert.Equal($"{fixture.Model.Label}+{pool.Label}", both.Label);

        Assert.Equal(0, ServingModel.OwnWeight(0));
        Assert.Equal(0.5, ServingModel.OwnWeight(ServingModel.EqualWeightAt));
        Assert.True(ServingModel.OwnWeight(3000) > 0.9);
        Assert.Equal(fixture.Model.Report.Thresholds, ServingModel.Thresholds(fixture.Model, pool));
    }

    // Each business numbers its customers its own way; the other attributes mean the same everywhere.
    private static OutcomeTallies Business(int seed) => OutcomeTallies.Of(SyntheticLeads.Create(400, seed).Select(e =>
        (e.Lead with
        {
            City = "Springfield",
            PostalCode = "62701",
            Attributes = e.Lead.Attributes!.ToDictionary(
                a => a.Key, a => a.Key == "Customer Code" ? AttributeValue.FromText($"B{seed}-{a.Value.Text}") : a.Value),
        }, e.Converted)));
}
