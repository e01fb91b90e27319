using System.Globalization;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Billing.Stripe;

/// <summary>Amounts as Stripe takes them: an integer in the currency's smallest unit (cents; whole yen).</summary>
internal static class StripeAmounts
{
    // Stripe's zero-decimal and three-decimal currencies (https://docs.stripe.com/currencies#special-cases).
    private static readonly HashSet<string> ZeroDecimal = new(StringComparer.OrdinalIgnoreCase)
    {
        "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
    };

    private static readonly HashSet<string> ThreeDecimal = new(StringComparer.OrdinalIgnoreCase) { "BHD", "JOD", "KWD", "OMR", "TND" };

    public static long ToMinorUnits(decimal amount, string currency)
    {
        var factor = ZeroDecimal.Contains(currency) ? 1m : ThreeDecimal.Contains(currency) ? 1000m : 100m;
        var minor = decimal.Round(amount * factor, 0, MidpointRounding.AwayFromZero);
        if (ThreeDecimal.Contains(currency))
        {
            // Stripe requires the last digit of three-decimal amounts to be 0.
            minor = decimal.Round(minor / 10m, 0, MidpointRounding.AwayFromZero) * 10m;
        }

        return decimal.ToInt64(minor);
    }

    public static long ToMinorUnits(Money money) =>
        ToMinorUnits(decimal.Parse(money.Amount, NumberStyles.Number, CultureInfo.InvariantCulture), money.Currency);
}
