using System.Globalization;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.FieldOps.Quotes;

/// <summary>
/// A quote's money, with billing's rules: each line is quantity × unit price rounded half away from zero to the
/// currency's minor unit; tax is the rate applied once to the sum of taxable counted lines and rounded the same way;
/// optional lines count only when selected.
/// </summary>
internal static class QuoteMath
{
    public sealed record Priced(IReadOnlyList<QuoteLine> Lines, long SubtotalMinor, long TaxMinor, long TotalMinor);

    public static Priced Price(IReadOnlyList<StoredQuoteLine> lines, decimal taxRate, string currency)
    {
        var priced = lines.Select(l => new QuoteLine(
            l.Description, l.Quantity, Of(l.UnitPrice, currency), Of(Currencies.Round(l.Quantity * l.UnitPrice, currency), currency),
            l.Optional, l.Selected, l.Taxable)).ToList();
        var counted = lines.Where(l => !l.Optional || l.Selected).ToList();
        var subtotal = counted.Sum(l => Currencies.Round(l.Quantity * l.UnitPrice, currency));
        var taxable = counted.Where(l => l.Taxable).Sum(l => Currencies.Round(l.Quantity * l.UnitPrice, currency));
        var tax = Currencies.Round(taxable * taxRate / 100m, currency);
        return new Priced(priced, ToMinor(subtotal, currency), ToMinor(tax, currency), ToMinor(subtotal + tax, currency));
    }

    public static long ToMinor(decimal amount, string currency) =>
        (long)(Currencies.Round(amount, currency) * Pow10(Currencies.MinorUnits(currency)));

    public static decimal FromMinor(long minor, string currency) => minor / Pow10(Currencies.MinorUnits(currency));

    public static Money Of(decimal amount, string currency) =>
        new(Currencies.Round(amount, currency).ToString(Currencies.MinorUnits(currency) == 0 ? "0" : "0.00", CultureInfo.InvariantCulture), currency);

    public static Money OfMinor(long minor, string currency) => Of(FromMinor(minor, currency), currency);

    private static decimal Pow10(int digits) => Enumerable.Repeat(10m, digits).Aggregate(1m, (product, ten) => product * ten);
}
