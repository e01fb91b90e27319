using System.Text.RegularExpressions;

namespace StreamFlow.Core.Rfps;

/// <summary>
/// Requirement statements: every sentence with "shall" or "must", once each, in document order. A sentence ends at
/// ". " / "? " / "! ", a blank line, or a line that ends with a colon (a list's lead-in).
/// </summary>
internal static partial class RfpRequirementExtractor
{
    private const int MaxBack = 400;
    private const int MaxForward = 600;
    private const int MinLength = 15;

    public static IReadOnlyList<RfpFact<string>> Extract(RfpTextIndex index)
    {
        var text = index.Text;
        var found = new List<RfpFact<string>>();
        var coveredUntil = -1;
        foreach (Match modal in Modal().Matches(text))
        {
            if (modal.Index < coveredUntil)
            {
                continue;
            }

            var start = SentenceStart(text, modal.Index);
            var end = SentenceEnd(text, modal.Index + modal.Length);
            coveredUntil = end;
            var sentence = RfpText.Collapse(text[start..end]);
            var lead = ListMarker().Match(sentence);
            if (lead.Success)
            {
                sentence = sentence[lead.Length..];
            }

            if (sentence.Length >= MinLength && !sentence.Contains("....", StringComparison.Ordinal))
            {
                found.Add(new RfpFact<string>(sentence, index.Source(start, end)));
            }
        }

        return found;
    }

    private static int SentenceStart(string text, int at)
    {
        var limit = Math.Max(0, at - MaxBack);
        for (var i = at - 1; i >= limit; i--)
        {
            var c = text[i];
            if ((c is '.' or '?' or '!' or ';' && i + 1 < text.Length && char.IsWhiteSpace(text[i + 1]))
                || (c == '\n' && (i == 0 || text[i - 1] == '\n' || text[i - 1] == ':' || StartsListItem(text, i + 1) || EndsHeading(text, i))))
            {
                return SkipSpace(text, i + 1, at);
            }
        }

        return SkipSpace(text, limit, at);
    }

    private static int SentenceEnd(string text, int from)
    {
        var limit = Math.Min(text.Length, from + MaxForward);
        for (var i = from; i < limit; i++)
        {
            var c = text[i];
            if (c is '.' or '?' or '!' && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1])))
            {
                return i + 1;
            }

            if (c == '\n' && i + 1 < text.Length && (text[i + 1] == '\n' || StartsListItem(text, i + 1)))
            {
                return i;
            }
        }

        return limit;
    }

    private static bool StartsListItem(string text, int at) =>
        at < text.Length && ListMarker().IsMatch(text.AsSpan(at, Math.Min(16, text.Length - at)));

    // A heading line ("SECTION C - PERFORMANCE WORK STATEMENT") has letters and no lower-case ones.
    private static bool EndsHeading(string text, int newline)
    {
        var start = text.LastIndexOf('\n', Math.Max(0, newline - 1)) + 1;
        var line = text.AsSpan(start, newline - start);
        return line.ContainsAnyInRange('A', 'Z') && !line.ContainsAnyInRange('a', 'z');
    }

    private static int SkipSpace(string text, int from, int limit)
    {
        while (from < limit && char.IsWhiteSpace(text[from]))
        {
            from++;
        }

        return from;
    }

    [GeneratedRegex(@"\b(?:shall|must)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 2000)]
    private static partial Regex Modal();

    [GeneratedRegex(@"^[ ]*(?:[•\-*–]|\(?[a-z0-9]{1,3}[.)]|[A-Z]\.\d{1,2}(?:\.\d{1,2})*\.?|\d{1,2}(?:\.\d{1,2})+\.?)[ ]+", RegexOptions.CultureInvariant, 2000)]
    private static partial Regex ListMarker();
}
