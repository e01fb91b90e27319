using System.Globalization;

namespace StreamFlow.Core.Kernel;

/// <summary>Money as the API writes it: the amount as a decimal string and an ISO 4217 currency.</summary>
public sealed record Money(string Amount, string Currency)
{
    public static Money Of(decimal amount, string currency) =>
        new(decimal.Round(amount, 2, MidpointRounding.AwayFromZero).ToString("0.00", CultureInfo.InvariantCulture), currency);
}
