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

    [Theory]
    [InlineData("Site visit at 1423 Maple Ave tomorrow", "Site visit at [ADDRESS] tomorrow")]
    [InlineData("Ship to 1600 Pennsylvania Ave NW, Washington, DC 20500.", "Ship to [ADDRESS].")]
    [InlineData("Unit is at 77 W 42nd St, Apt 5B, New York, NY 10036-1234 (rear door)", "Unit is at [ADDRESS] (rear door)")]
    [InlineData("Office: 500 Old Mill Road Suite 210", "Office: [ADDRESS]")]
    [InlineData("Mail to PO Box 1234, Austin, TX 78701", "Mail to [ADDRESS]")]
    [InlineData("Mail to P.O. Box 98", "Mail to [ADDRESS]")]
    [InlineData("Moved to Salt Lake City, UT 84101 last year", "Moved to [ADDRESS] last year")]
    [InlineData("Lives at 12B Harbor View Dr. #4; call 512-555-0100", "Lives at [ADDRESS]; call [PHONE]")]
    public void Us_postal_addresses_are_masked_whole(string text, string expected) =>
        Assert.Equal(expected, PersonalDataDetector.Mask(text));

    [Theory]
    [InlineData("Took 20 minutes on the road to the site")]
    [InlineData("Quote for 3 units at 450.00 USD, Main St pricing")]
    [InlineData("Install a 5 Way Valve and 2 Carrier Units")]
    [InlineData("Budget $450 Main Street project, phase 2")]
    [InlineData("Solicitation W912DY-25-R-0042, zip 80202")]
    [InlineData("Customer is in Dallas, TX")]
    [InlineData("Order shipped to CA 90210 warehouse")]
    [InlineData("Replaced 2 drives and a 4 ton unit on Elm St")]
    public void Near_misses_are_not_addresses(string text)
    {
        Assert.Equal(text, PersonalDataDetector.Mask(text));
        Assert.False(PersonalDataDetector.Scan(text).Any);
    }

    [Fact]
    public void An_address_is_counted_once_with_its_city_and_zip()
    {
        var scan = PersonalDataDetector.Scan("Meet at 1423 Maple Ave, Austin, TX 78701 or at 9 Elm Court; billing in Round Rock, TX 78664.");

        Assert.Equal(new Dictionary<string, int> { ["address"] = 3 }, scan.Found);
    }
}
