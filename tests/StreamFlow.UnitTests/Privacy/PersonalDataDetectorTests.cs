using StreamFlow.Core.Privacy.Detection;

namespace StreamFlow.UnitTests.Privacy;

public sealed class PersonalDataDetectorTests
{
    [Fact]
    public void A_note_with_an_email_a_phone_an_ssn_and_a_card_is_flagged_with_each_kind_counted()
    {
        var scan = PersonalDataDetector.Scan("Call dana@example.com or (512) 555-0142; SSN 123-45-6789; card 4111 1111 1111 1111; also +44 20 7946 0958.");

        Assert.Equal(new Dictionary<string, int> { ["email"] = 1, ["phone"] = 2, ["ssn"] = 1, ["card"] = 1 }, scan.Found);
        Assert.True(scan.Any);
    }

    [Theory]
    [InlineData("Order 4111 1111 1111 1112 shipped on 2026-12-01")]
    [InlineData("Quote Q-12 for 3 units at 450.00 USD")]
    [InlineData("Already masked: [EMAIL] and [PHONE]")]
    [InlineData(null)]
    public void Text_without_personal_data_is_not_flagged(string? text) => Assert.False(PersonalDataDetector.Scan(text).Any);

    [Fact]
    public void The_ai_gateway_redacts_with_the_same_detector()
    {
        const string text = "Reach sam@example.org at 512-555-0100, card 5500 0000 0000 0004.";

        Assert.Equal(PersonalDataDetector.Mask(text), StreamFlow.Core.Ai.AiRedactor.Redact(text));
        Assert.Equal("Reach [EMAIL] at [PHONE], card [CARD].", StreamFlow.Core.Ai.AiRedactor.Redact(text));
    }
}
