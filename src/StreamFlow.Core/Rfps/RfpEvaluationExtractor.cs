using System.Text.RegularExpressions;

namespace StreamFlow.Core.Rfps;

/// <summary>
/// Section M: the evaluation factors ("Factor 1: Technical Approach (40 points)", or a numbered list with weights
/// under an "Evaluation Criteria" heading) and the basis of award (best value trade-off, LPTA, lowest price).
/// </summary>
internal static partial class RfpEvaluationExtractor
{
    private const int MaxSectionLength = 30_000;
    private const int MaxFactors = 30;

    public static IReadOnlyList<RfpFact<RfpEvaluationFactor>> Factors(RfpTextIndex index)
    {
        var text = index.Text;
        var factors = new List<RfpFact<RfpEvaluationFactor>>();
        // The last heading wins: a table of contents names Section M long before the section itself.
        var heading = SectionHeading().Matches(text).LastOrDefault(m => !m.Value.Contains("...", StringComparison.Ordinal));
        var (from, length) = heading is null ? (0, text.Length) : (heading.Index, SectionLength(text, heading));

        foreach (Match match in NamedFactor().Matches(text.Substring(from, length)))
        {
            Add(match);
        }

        if (factors.Count == 0 && heading is not null)
        {
            foreach (Match match in WeightedListItem().Matches(text.Substring(from, length)))
            {
                Add(match);
            }
        }

        return factors;

        void Add(Match match)
        {
            var name = RfpText.Collapse(match.Groups["name"].Value).TrimEnd('.', ',', ';', ':', '-', ' ');
            if (factors.Count >= MaxFactors || name.Length < 3 || name.Contains("...", StringComparison.Ordinal)
                || factors.Any(f => f.Value.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                return;
            }

            var weight = match.Groups["w"].Success ? RfpText.Collapse(match.Groups["w"].Value) : null;
            var start = from + match.Groups["name"].Index;
            var end = from + match.Index + match.Length;
            factors.Add(new RfpFact<RfpEvaluationFactor>(new RfpEvaluationFactor(name, weight), index.Source(start, end)));
        }
    }

    public static RfpFact<string>? Basis(RfpTextIndex index)
    {
        var match = BasisOfAward().Match(index.Text);
        if (!match.Success)
        {
            return null;
        }

        var basis = match.Groups["lpta"].Success ? "Lowest price technically acceptable"
            : match.Groups["tradeoff"].Success ? "Best value trade-off"
            : "Lowest price";
        return new RfpFact<string>(basis, index.Source(match.Index, match.Index + match.Length));
    }

    private static int SectionLength(string text, Match heading)
    {
        var next = NextSection().Match(text, heading.Index + heading.Length);
        var end = next.Success ? next.Index : text.Length;
        return Math.Min(end - heading.Index, MaxSectionLength);
    }

    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant;
    private const int Timeout = 2000;

    [GeneratedRegex(@"^[ ]*(?:section[ ]+M\b[^\n]*|(?:[A-Z0-9]{1,3}(?:\.\d{1,2})*\.?[ ]+)?(?:evaluation[ ]+(?:factors|criteria)|basis[ ]+(?:of|for)[ ]+award)\b[^\n]*|(?:section[ ]+\d{1,2}[ ]*[-–—:.][ ]*|\d{1,2}\.[ ]+)?evaluation[ ]*|[^\n]*\bwill[ ]+be[ ]+evaluated\b[^\n]*:[ ]*)$", Options, Timeout)]
    private static partial Regex SectionHeading();

    [GeneratedRegex(@"^[ ]*section[ ]+[A-LN-Z]\b", Options, Timeout)]
    private static partial Regex NextSection();

    // "Factor 1: Technical Approach (40 points)", "EVALUATION FACTOR B - PAST PERFORMANCE", "Criterion 2. Price – 30%".
    [GeneratedRegex(@"^[ ]*(?:M?\.?\d{0,2}(?:\.\d{1,2})*\.?[ ]+|\(?[a-z0-9]{1,3}[.)][ ]+)?(?:evaluation[ ]+)?(?<!sub)(?:factor|criterion|criteria)[ ]*(?:\d{1,2}|[A-H]|I{1,3}|IV|V)?[ ]*[:.\-–—][ ]*(?<name>[^\n(:]{3,100}?)(?:[ ]*[(\-–—,][ ]*(?<w>\d{1,3}(?:\.\d+)?[ ]*(?:%|percent|points?|pts\.?))[ ]*\)?|[ ]*\([^)\n]{1,40}\))?[ ]*[.:]?[ ]*$", Options, Timeout)]
    private static partial Regex NamedFactor();

    // Under an evaluation heading: "1. Technical Approach (40 points)", "b) Price - 20%".
    [GeneratedRegex(@"^[ ]*\(?(?:\d{1,2}|[a-h])[.)][ ]+(?<name>[A-Z][^\n(]{2,80}?)[ ]*[(\-–—,][ ]*(?<w>\d{1,3}(?:\.\d+)?[ ]*(?:%|percent|points?|pts\.?))[ ]*\)?[ ]*\.?[ ]*$", Options, Timeout)]
    private static partial Regex WeightedListItem();

    [GeneratedRegex(@"(?<lpta>lowest[ ]+price(?:d)?[ ]+(?:and[ ]+)?technically[ ]+acceptable|\bLPTA\b)|(?<tradeoff>best[ ]+value[ ]+(?:continuum[ ]*[,–-]?[ ]*)?trade[- ]?off|trade[- ]?off[ ]+(?:process|source[ ]+selection)|best[ ]+value\b|most[ ]+advantageous\b)|(?<lowest>lowest[ ]+(?:(?:responsive,?[ ]+(?:and[ ]+)?responsible|and[ ]+best),?[ ]+)?(?:bid(?:der)?|price|offer(?:or)?)\b)", Options, Timeout)]
    private static partial Regex BasisOfAward();
}
