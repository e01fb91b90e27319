using StreamFlow.Core.Kernel;
using StreamFlow.Core.Rfps;

namespace StreamFlow.UnitTests.Rfps;

public sealed class RfpLocalAssessmentTests
{
    private static readonly DateTimeOffset Now = new(2027, 2, 1, 12, 0, 0, TimeSpan.Zero);

    private static RfpFacts Facts(string text) => RfpFactExtractor.Extract(RfpTextExtractor.FromText(text));

    private static RfpPricingHistory History(int won, int lost, decimal? lower = null, decimal? upper = null) => new(
        "similar", ["hvac"], won, lost, won + lost == 0 ? null : (double)won / (won + lost),
        null, lower is null ? null : Money.Of(lower.Value, "USD"), null, upper is null ? null : Money.Of(upper.Value, "USD"), null, []);

    [Fact]
    public void A_passed_deadline_is_no_bid()
    {
        var assessment = RfpLocalAssessment.Assess(Facts("Offers are due by 2:00 PM EST on January 5, 2027."), History(5, 1), Now, null);

        Assert.Equal(RfpDecision.NoBid, assessment.Recommendation.Decision);
        Assert.Contains(assessment.Recommendation.Reasons, r => r.Contains("has passed", StringComparison.Ordinal));
    }

    [Fact]
    public void Time_to_respond_a_good_win_rate_and_a_fitting_value_are_a_bid()
    {
        var facts = Facts("Offers are due by 2:00 PM EST on March 15, 2027.\n\nThe estimated value is $150,000.");

        var assessment = RfpLocalAssessment.Assess(facts, History(6, 4, 100_000m, 200_000m), Now, null);

        Assert.Equal(RfpDecision.Bid, assessment.Recommendation.Decision);
    }

    [Fact]
    public void Pricing_is_the_middle_half_of_similar_won_work_capped_at_a_stated_ceiling()
    {
        var facts = Facts("The total order value shall not exceed $150,000.");

        var pricing = RfpLocalAssessment.Price(facts, History(6, 4, 100_000m, 200_000m));

        Assert.Equal(("100000.00", "150000.00"), (pricing.Low?.Amount, pricing.High?.Amount));
    }

    [Fact]
    public void Without_won_work_there_is_no_price_range()
    {
        var pricing = RfpLocalAssessment.Price(Facts("Title: Roof repair"), History(0, 2));

        Assert.Null(pricing.Low);
        Assert.Null(pricing.High);
    }
}
