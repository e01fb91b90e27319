using System.Globalization;
using System.Text.RegularExpressions;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Rfps;

/// <summary>
/// A stated value: the first dollar amount that a value word precedes ("estimated value of $1,250,000", "not to
/// exceed $2.5 million", "magnitude between $1,000,000 and $5,000,000"). Amounts without such a word (wage rates,
/// bond amounts, fees) are not the value of the work and are left alone.
/// </summary>
internal static partial class RfpValueExtractor
{
    private const int KeywordWindow = 120;

    public static RfpFact<RfpStatedValue>? StatedValue(RfpTextIndex index)
    {
        var text = index.Text;
        foreach (Match amount in Amount().Matches(text))
        {
            var windowStart = Math.Max(0, amount.Index - KeywordWindow);
            var paragraphBreak = text.LastIndexOf("\n\n", amount.Index, amount.Index - windowStart, StringComparison.Ordinal);
            var leadStart = paragraphBreak >= 0 ? paragraphBreak + 2 : windowStart;
            var keyword = ValueWord().Match(text, leadStart, amount.Index - leadStart);
            if (!keyword.Success || Parse(amount) is not { } low)
            {
                continue;
            }

            var kind = CeilingWord().IsMatch(text.AsSpan(leadStart, amount.Index - leadStart)) ? RfpValueKind.Ceiling : RfpValueKind.Estimate;
            var high = low;
            var end = amount.Index + amount.Length;
            if (RangeEnd().Match(text, end, Math.Min(40, text.Length - end)) is { Success: true } range && Parse(range) is { } upper && upper >= low)
            {
                (kind, high, end) = (RfpValueKind.Range, upper, range.Index + range.Length);
            }

            var start = keyword.Index;
            return new RfpFact<RfpStatedValue>(new RfpStatedValue(kind, Money.Of(low, "USD"), Money.Of(high, "USD")), index.Source(start, end));
        }

        return null;
    }

    internal static decimal? Parse(Match amount)
    {
        if (!decimal.TryParse(amount.Groups["n"].Value.Replace(",", "", StringComparison.Ordinal), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return null;
        }

        var multiplier = amount.Groups["mult"].Value.ToUpperInvariant() switch
        {
            "K" or "THOUSAND" => 1_000m,
            "M" or "MM" or "MILLION" => 1_000_000m,
            "B" or "BILLION" => 1_000_000_000m,
            _ => 1m,
        };
        return value * multiplier;
    }

    private const int Timeout = 2000;

    [GeneratedRegex(@"\$[ ]?(?<n>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)(?:[ ]*(?<mult>million|billion|thousand|MM|M|K|B)\b)?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, Timeout)]
    private static partial Regex Amount();

    [GeneratedRegex(@"\b(?:not[- ]to[- ]exceed|NTE|ceiling|maximum|max\.|up[ ]+to|(?:shall|will|may)[ ]+not[ ]+exceed)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, Timeout)]
    private static partial Regex CeilingWord();

    [GeneratedRegex(@"\b(?:not[- ]to[- ]exceed|\bNTE\b|ceiling|maximum|max\.|up[ ]+to|(?:shall|will|may)[ ]+not[ ]+exceed|estimate[ds]?|anticipated|approximate(?:ly)?|expected|projected|magnitude|budget(?:ed)?|funding|funded|available|contract[ ]+value|total[ ]+value|value)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, Timeout)]
    private static partial Regex ValueWord();

    [GeneratedRegex(@"^[ ]*(?:and|to|through|-|–|—)[ ]*\$[ ]?(?<n>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)(?:[ ]*(?<mult>million|billion|thousand|MM|M|K|B)\b)?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, Timeout)]
    private static partial Regex RangeEnd();
}
