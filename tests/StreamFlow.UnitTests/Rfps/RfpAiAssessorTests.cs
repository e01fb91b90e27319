using StreamFlow.Core.Rfps;

namespace StreamFlow.UnitTests.Rfps;

public sealed class RfpAiAssessorTests
{
    private static readonly RfpPricingHistory History = new("allWonWork", [], 0, 0, null, null, null, null, null, null, []);

    private static readonly RfpAssessment Local = RfpLocalAssessment.Assess(
        RfpFactExtractor.Extract(RfpTextExtractor.FromText("Title: Roof repair")), History, DateTimeOffset.UnixEpoch, null);

    [Fact]
    public void A_json_answer_becomes_the_assessment()
    {
        var assessment = RfpAiAssessor.Parse("""
            Here you go: {"summary": "Roof repair for the county.", "recommendation": "no-bid", "confidence": 0.8,
            "reasons": ["Outside your usual work"], "pricing": {"low": 50000, "high": 40000, "rationale": "Small job."}}
            """, Local, History)!;

        Assert.Equal(("ai", RfpDecision.NoBid, 0.8), (assessment.Method, assessment.Recommendation.Decision, assessment.Recommendation.Confidence));
        Assert.Equal(["Outside your usual work"], assessment.Recommendation.Reasons);
        Assert.Equal(("40000.00", "50000.00"), (assessment.Pricing.Low?.Amount, assessment.Pricing.High?.Amount));
    }

    [Theory]
    [InlineData("I would bid on this one.")]
    [InlineData("{\"summary\": \"x\", \"recommendation\": \"maybe\"}")]
    [InlineData("{\"recommendation\": \"bid\"}")]
    public void An_answer_without_a_summary_and_known_recommendation_is_unreadable(string answer)
    {
        Assert.Null(RfpAiAssessor.Parse(answer, Local, History));
    }
}
