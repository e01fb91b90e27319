namespace StreamFlow.Core.Billing;

/// <summary>
/// Minor units of the currencies invoices may be in, and the one rounding rule: half away from zero to the minor
/// unit. Invoice columns hold two decimals, so three-decimal currencies (BHD, KWD, ...) cannot be invoiced.
/// </summary>
public static class Currencies
{
    private static readonly HashSet<string> ZeroDecimal = new(StringComparer.Ordinal)
    {
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
    };

    private static readonly HashSet<string> ThreeDecimal = new(StringComparer.Ordinal)
    {
        "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND",
    };

    /// <summary>Digits after the decimal point of the currency's minor unit (2 unless listed).</summary>
    public static int MinorUnits(string currency) =>
        ZeroDecimal.Contains(currency) ? 0 : ThreeDecimal.Contains(currency) ? 3 : 2;

    /// <summary>True when invoices can be kept in this currency (three-letter code, at most two decimals).</summary>
    public static bool IsInvoiceable(string? currency) =>
        currency is { Length: 3 } && currency.All(char.IsAsciiLetterUpper) && MinorUnits(currency) <= 2;

    /// <summary>Rounds half away from zero to the currency's minor unit: 1.005 USD is 1.01, -1.005 USD is -1.01.</summary>
    public static decimal Round(decimal amount, string currency) =>
        decimal.Round(amount, MinorUnits(currency), MidpointRounding.AwayFromZero);
}
