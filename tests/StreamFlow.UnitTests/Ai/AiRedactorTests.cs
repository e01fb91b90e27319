using StreamFlow.Core.Ai;

namespace StreamFlow.UnitTests.Ai;

public sealed class AiRedactorTests
{
    [Theory]
    [InlineData("Write to jane.roe@example.com today", "Write to [EMAIL] today")]
    [InlineData("cc: a.b+leads@mail.contoso.co.uk.", "cc: [EMAIL].")]
    public void Email_addresses_are_redacted(string text, string expected) => Assert.Equal(expected, AiRedactor.Redact(text));

    [Theory]
    [InlineData("Call (303) 555-0142 after 5", "Call [PHONE] after 5")]
    [InlineData("Call 303-555-0142.", "Call [PHONE].")]
    [InlineData("Call 303.555.0142", "Call [PHONE]")]
    [InlineData("Call +1 303 555 0142", "Call [PHONE]")]
    [InlineData("Call 3035550142", "Call [PHONE]")]
    [InlineData("Office +44 20 7946 0958", "Office [PHONE]")]
    public void Phone_numbers_are_redacted(string text, string expected) => Assert.Equal(expected, AiRedactor.Redact(text));

    [Theory]
    [InlineData("SSN 123-45-6789.", "SSN [SSN].")]
    [InlineData("SSN 123 45 6789", "SSN [SSN]")]
    public void Social_security_numbers_are_redacted(string text, string expected) => Assert.Equal(expected, AiRedactor.Redact(text));

    [Theory]
    [InlineData("Card 4111 1111 1111 1111 on file", "Card [CARD] on file")]
    [InlineData("Card 4111-1111-1111-1111", "Card [CARD]")]
    [InlineData("Amex 378282246310005", "Amex [CARD]")]
    public void Card_numbers_that_pass_the_Luhn_check_are_redacted(string text, string expected) =>
        Assert.Equal(expected, AiRedactor.Redact(text));

    [Fact]
    public void Long_digit_runs_that_fail_the_Luhn_check_are_kept()
    {
        const string text = "Order 4111 1111 1111 1112 shipped";

        Assert.Equal(text, AiRedactor.Redact(text));
    }

    [Theory]
    [InlineData("Due 2026-12-01 at 14:00, budget $125,000, NAICS 238220, 3 units")]
    [InlineData("Solicitation W912DY-25-R-0042, zip 80202")]
    public void Ordinary_business_text_is_left_alone(string text) => Assert.Equal(text, AiRedactor.Redact(text));

    [Fact]
    public void Every_message_is_redacted_and_roles_kept()
    {
        AiMessage[] messages = [new(AiMessageRole.System, "Be brief."), new(AiMessageRole.User, "Lead bob@example.com")];

        var redacted = AiRedactor.Redact(messages);

        Assert.Equal([new AiMessage(AiMessageRole.System, "Be brief."), new AiMessage(AiMessageRole.User, "Lead [EMAIL]")], redacted);
    }
}
