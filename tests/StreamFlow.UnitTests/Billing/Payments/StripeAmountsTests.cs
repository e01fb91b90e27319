using StreamFlow.Core.Billing.Stripe;

namespace StreamFlow.UnitTests.Billing.Payments;

public sealed class StripeAmountsTests
{
    [Theory]
    [InlineData("499.00", "USD", 49900)]
    [InlineData("0.01", "EUR", 1)]
    [InlineData("-25.50", "USD", -2550)]
    [InlineData("1200.00", "JPY", 1200)]
    [InlineData("12.345", "KWD", 12350)]
    [InlineData("0.005", "USD", 1)]
    public void Amounts_become_integers_in_the_currencys_smallest_unit(string amount, string currency, long expected)
    {
        Assert.Equal(expected, StripeAmounts.ToMinorUnits(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), currency));
    }
}
