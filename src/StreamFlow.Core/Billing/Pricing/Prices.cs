using System.Globalization;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Billing.Pricing;

/// <summary>Prices as the API reads and writes them: decimal strings with up to four decimals (numeric(14, 4)).</summary>
internal static class Prices
{
    private const decimal Maximum = 9_999_999_999.9999m;

    /// <summary>Prices may carry four decimals (a seat at 0.0125 per day, say): shown unrounded, unlike invoice amounts.</summary>
    public static Money Format(decimal amount, string currency) =>
        new(amount.ToString(amount == decimal.Round(amount, 2) ? "0.00" : "0.00##", CultureInfo.InvariantCulture), currency);

    /// <summary>Parses a price; adds a field error and returns null when it is not a non-negative decimal with at most four decimals.</summary>
    public static decimal? Parse(ValidationErrors errors, string field, string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            || value > Maximum || decimal.Round(value, 4) != value)
        {
            errors.Add(field, "must be a non-negative decimal string with at most four decimals, such as \"49.90\".");
            return null;
        }

        return value;
    }

    public static void CheckCurrency(ValidationErrors errors, string field, string? currency)
    {
        if (currency is not null && !Currencies.IsInvoiceable(currency))
        {
            errors.Add(field, "must be an ISO 4217 code in capitals with at most two decimals, such as USD, EUR or JPY.");
        }
    }

    public static void CheckMarkup(ValidationErrors errors, string field, decimal? percent)
    {
        if (percent is < 0m or > 10_000m || (percent is { } p && decimal.Round(p, 4) != p))
        {
            errors.Add(field, "must be between 0 and 10000 with at most four decimals.");
        }
    }
}
