using System.Text;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Http;

namespace StreamFlow.UnitTests.Http;

public sealed class InputRulesTests
{
    [Theory]
    [InlineData("a\u0000@b.c")]
    [InlineData("bell\u0007")]
    [InlineData("\u001b[31m")]
    public void Control_characters_are_refused(string value) =>
        Assert.Equal(InputRules.ControlCharacterMessage, InputRules.Refusal(value));

    [Theory]
    [InlineData("line one\nline two\r\n\tindented")]
    [InlineData("Dana O'Neil")]
    [InlineData("2026-12-05")]
    [InlineData("2026-12-05T09:30:00Z")]
    [InlineData("1900-01-01")]
    [InlineData("2999-12-31")]
    [InlineData("1234-5678-9012")]
    public void Ordinary_text_and_dates_in_range_pass(string value) => Assert.Null(InputRules.Refusal(value));

    [Theory]
    [InlineData("0001-01-01")]
    [InlineData("9999-12-31")]
    [InlineData("9999-12-31T23:59:59Z")]
    [InlineData("1899-12")]
    public void Dates_outside_the_supported_range_are_refused(string value) =>
        Assert.Equal(SupportedDates.Message, InputRules.Refusal(value));

    [Fact]
    public void A_json_body_names_the_field_that_holds_the_bad_string()
    {
        var problem = InputRules.Check(Encoding.UTF8.GetBytes("""{"owner":{"email":"a\u0000@b.c"},"tags":["ok","x\u0001"],"since":"0001-01-01"}"""));

        Assert.NotNull(problem);
        Assert.Equal(["owner.email", "since", "tags[1]"], problem.Errors!.Keys.Order());
    }

    [Fact]
    public void A_clean_json_body_passes() =>
        Assert.Null(InputRules.Check(Encoding.UTF8.GetBytes("""{"a":[1,{"b":"c\n"}],"d":null,"e":"2026-01-01"}""")));
}
