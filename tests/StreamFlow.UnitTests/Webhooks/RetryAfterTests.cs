using StreamFlow.Core.Webhooks;

namespace StreamFlow.UnitTests.Webhooks;

public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("120", 120)]
    [InlineData(" 0 ", 0)]
    [InlineData("Thu, 15 Jan 2026 12:00:30 GMT", 30)]
    [InlineData("Thursday, 15-Jan-26 12:01:00 GMT", 60)]
    [InlineData("Thu Jan 15 12:02:00 2026", 120)]
    [InlineData("Thu, 15 Jan 2026 11:00:00 GMT", 0)]
    public void Delay_seconds_and_http_dates_are_read(string value, int expectedSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), RetryAfter.Parse(value, Now));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-5")]
    [InlineData("soon")]
    [InlineData("1.5")]
    public void Unreadable_values_are_ignored(string? value)
    {
        Assert.Null(RetryAfter.Parse(value, Now));
    }

    [Fact]
    public void An_absurd_number_of_seconds_does_not_overflow()
    {
        Assert.Equal(TimeSpan.FromDays(365), RetryAfter.Parse("99999999999999999999999", Now));
    }
}
