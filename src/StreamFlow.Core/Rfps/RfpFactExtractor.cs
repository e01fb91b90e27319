using System.Text.RegularExpressions;

namespace StreamFlow.Core.Rfps;

/// <summary>
/// The deterministic pass over a solicitation: regular expressions over the conventions of federal (SF-1449, SF-33,
/// UCF sections) and common state and local solicitations. It needs no AI and reads a 50-page document in well under a
/// second. A fact it cannot find stays empty rather than guessed; a pattern that runs too long is given up, not fatal.
/// </summary>
public static partial class RfpFactExtractor
{
    internal const int MaxRequirements = 300;

    public static RfpFacts Extract(RfpDocumentText document)
    {
        var index = new RfpTextIndex(document);
        var requirements = Safely(() => RfpRequirementExtractor.Extract(index), []);
        return new RfpFacts(
            Safely(() => Title(index), null),
            Safely(() => Agency(index), null),
            Safely(() => SolicitationNumber(index), null),
            Safely(() => NaicsCodes(index), []),
            Safely(() => SetAside(index), null),
            Safely(() => RfpDeadlineExtractor.ResponseDue(index), null),
            Safely(() => RfpDeadlineExtractor.QuestionsDue(index), null),
            Safely(() => PlaceOfPerformance(index), null),
            Safely(() => RfpEvaluationExtractor.Basis(index), null),
            Safely(() => RfpEvaluationExtractor.Factors(index), []),
            [.. requirements.Take(MaxRequirements)],
            requirements.Count,
            Safely(() => RfpValueExtractor.StatedValue(index), null));
    }

    internal static RfpFact<string>? Title(RfpTextIndex index) =>
        FirstValue(index, LabeledTitle()) ?? FirstValue(index, SolicitationHeadingTitle());

    internal static RfpFact<string>? Agency(RfpTextIndex index) =>
        FirstValue(index, LabeledAgency()) ?? FirstValue(index, IssuedBy()) ?? FirstValue(index, DepartmentLine());

    internal static RfpFact<string>? SolicitationNumber(RfpTextIndex index)
    {
        foreach (Match match in LabeledSolicitationNumber().Matches(index.Text))
        {
            var value = match.Groups["v"];
            if (value.Value.Any(char.IsDigit))
            {
                return Fact(index, value, value.Value.TrimEnd('.'));
            }
        }

        return FirstValue(index, UniformPiid());
    }

    internal static IReadOnlyList<RfpFact<string>> NaicsCodes(RfpTextIndex index)
    {
        var codes = new List<RfpFact<string>>();
        foreach (Match match in NaicsList().Matches(index.Text))
        {
            var list = match.Groups["codes"];
            foreach (Match code in SixDigits().Matches(list.Value))
            {
                var sector = int.Parse(code.Value.AsSpan(0, 2), System.Globalization.CultureInfo.InvariantCulture);
                if (sector is >= 11 and <= 92 && codes.All(c => c.Value != code.Value))
                {
                    var start = list.Index + code.Index;
                    codes.Add(new RfpFact<string>(code.Value, index.Source(start, start + code.Length)));
                }
            }
        }

        return codes;
    }

    internal static RfpFact<RfpSetAside>? SetAside(RfpTextIndex index)
    {
        if (LabeledSetAside().Match(index.Text) is { Success: true } labeled)
        {
            var value = labeled.Groups["v"];
            var text = RfpText.Collapse(value.Value);
            if (Classify(text) is { } kind)
            {
                return new RfpFact<RfpSetAside>(new RfpSetAside(kind, text), index.Source(value.Index, value.Index + value.Length));
            }
        }

        var found = SetAsideMention().Match(index.Text);
        if (!found.Success)
        {
            return null;
        }

        var mention = RfpText.Collapse(found.Value);
        return Classify(mention) is { } mentioned
            ? new RfpFact<RfpSetAside>(new RfpSetAside(mentioned, mention), index.Source(found.Index, found.Index + found.Length))
            : null;
    }

    internal static RfpFact<string>? PlaceOfPerformance(RfpTextIndex index)
    {
        foreach (Match match in LabeledPlace().Matches(index.Text))
        {
            var value = match.Groups["v"];
            var text = RfpText.Collapse(value.Value);
            if (text.Contains("...", StringComparison.Ordinal) || !text.Any(char.IsLetter))
            {
                continue; // a table-of-contents line, not the place
            }

            var end = value.Index + value.Length;
            // An address often continues on the next line: "Building 12, 100 Main St" / "Fort Worth, TX 76102".
            if (NextLineAddress().Match(index.Text, end) is { Success: true } next && next.Index == end)
            {
                text = $"{text}, {RfpText.Collapse(next.Groups["v"].Value)}";
                end = next.Groups["v"].Index + next.Groups["v"].Length;
            }

            return new RfpFact<string>(text, index.Source(value.Index, end));
        }

        return null;
    }

    internal static RfpSetAsideKind? Classify(string text) => text switch
    {
        _ when EconomicallyDisadvantagedWomen().IsMatch(text) => RfpSetAsideKind.EconomicallyDisadvantagedWomenOwned,
        _ when WomenOwned().IsMatch(text) => RfpSetAsideKind.WomenOwned,
        _ when ServiceDisabledVeteran().IsMatch(text) => RfpSetAsideKind.ServiceDisabledVeteranOwned,
        _ when VeteranOwned().IsMatch(text) => RfpSetAsideKind.VeteranOwned,
        _ when HubZone().IsMatch(text) => RfpSetAsideKind.HubZone,
        _ when EightA().IsMatch(text) => RfpSetAsideKind.EightA,
        _ when PartialSmallBusiness().IsMatch(text) => RfpSetAsideKind.PartialSmallBusiness,
        _ when SmallBusiness().IsMatch(text) => RfpSetAsideKind.TotalSmallBusiness,
        _ when Unrestricted().IsMatch(text) => RfpSetAsideKind.Unrestricted,
        _ => null,
    };

    internal static RfpFact<string>? FirstValue(RfpTextIndex index, Regex pattern)
    {
        foreach (Match match in pattern.Matches(index.Text))
        {
            var value = match.Groups["v"];
            var text = RfpText.Collapse(value.Value).TrimEnd(',', ';', ':');
            if (text.Length >= 3 && text.Any(char.IsLetterOrDigit))
            {
                return Fact(index, value, text);
            }
        }

        return null;
    }

    internal static RfpFact<string> Fact(RfpTextIndex index, Group value, string text) =>
        new(text, index.Source(value.Index, value.Index + value.Length));

    private static T Safely<T>(Func<T> extract, T fallback)
    {
        try
        {
            return extract();
        }
        catch (RegexMatchTimeoutException)
        {
            return fallback;
        }
    }

    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant;
    private const int Timeout = 2000;

    // "Title: ...", "Project Title: ...", and the SF-form layout with the value in the next cell (next paragraph).
    [GeneratedRegex(@"^[ ]*(?:\d{1,2}[a-z]?\.[ ]*)?(?:project|solicitation|contract|requirement|procurement|rfp|rfq)?[ ]*title(?:[ ]+of[ ]+(?:project|requirement))?[ ]*:[ ]*(?:\n[ ]*){0,2}(?<v>[^\n]{3,200})", Options, Timeout)]
    private static partial Regex LabeledTitle();

    // "Request for Proposals No. 123-45: HVAC Maintenance", "RFP 2027-014 - Roof Replacement".
    [GeneratedRegex(@"^[ ]*(?:request[ ]+for[ ]+(?:proposals?|quotations?|quotes?|qualifications)|invitation[ ]+(?:for|to)[ ]+bids?|rfp|rfq|ifb)\b[^\n:–—]{0,50}?(?::|–|—|[ ]-[ ])[ ]*(?<v>[^\n]{3,200})", Options, Timeout)]
    private static partial Regex SolicitationHeadingTitle();

    [GeneratedRegex(@"^[ ]*(?:\d{1,2}[a-z]?\.[ ]*)?(?:issuing|contracting|procuring|requesting|requiring|buying|awarding)?[ ]*(?:agency|office|activity|department|organization)(?:[ ]+name)?[ ]*:[ ]*(?:\n[ ]*){0,2}(?<v>[^\n]{3,200})", Options, Timeout)]
    private static partial Regex LabeledAgency();

    [GeneratedRegex(@"^[ ]*(?:\d{1,2}[a-z]?\.[ ]*)?issued[ ]+by(?:[ ]+code[ ]+\S+)?[ ]*:?[ ]*(?:\n[ ]*){0,2}(?<v>[^\n]{3,200})", Options, Timeout)]
    private static partial Regex IssuedBy();

    [GeneratedRegex(@"^[ ]*(?<v>(?:U\.?S\.?[ ]+|United[ ]+States[ ]+)?(?:Department|Dept\.)[ ]+of[ ]+(?:the[ ]+)?[A-Z][^\n]{2,150})", RegexOptions.Multiline | RegexOptions.CultureInvariant, Timeout)]
    private static partial Regex DepartmentLine();

    [GeneratedRegex(@"\b(?:solicitation|rfp|rfq|ifb|bid|tender|procurement)[ ]*(?:number|no\.?|num\.?|#|id)[ ]*[:.]?[ ]*(?:\n[ ]*){0,2}(?<v>[A-Z0-9][A-Z0-9\-_./]{2,40}[A-Z0-9])", Options, Timeout)]
    private static partial Regex LabeledSolicitationNumber();

    // The uniform PIID of FAR 4.1601: office code, fiscal year, instrument letter, serial (W912DQ24R0012, 36C255-24-Q-0123).
    [GeneratedRegex(@"\b(?<v>[A-Z0-9]{6}-?\d{2}-?[A-Z]-?\d{4})\b", RegexOptions.CultureInvariant, Timeout)]
    private static partial Regex UniformPiid();

    [GeneratedRegex(@"\bNAICS\b(?:[ ]+codes?)?[^\n\d]{0,40}(?<codes>\d{6}(?:[ ]*(?:,|;|/|&|and|or)?[ ]*\d{6})*)", Options, Timeout)]
    private static partial Regex NaicsList();

    [GeneratedRegex(@"\d{6}", RegexOptions.CultureInvariant, Timeout)]
    private static partial Regex SixDigits();

    [GeneratedRegex(@"^[ ]*(?:\d{1,2}[a-z]?\.[ ]*)?(?:type[ ]+of[ ]+)?set[- ]?aside(?:[ ]+(?:type|status))?[ ]*:[ ]*(?:\n[ ]*){0,2}(?<v>[^\n]{2,150})", Options, Timeout)]
    private static partial Regex LabeledSetAside();

    [GeneratedRegex(@"(?:total|partial)?[ ]*small[ ]+business[ ]+set[- ]aside|set[- ]aside[ ]+(?:exclusively[ ]+)?for[ ]+(?:total[ ]+)?small[ ]+business(?:es|[ ]+concerns)?|\b8\(a\)[ ]+(?:set[- ]aside|sole[ ]+source|program|competitive)|\bHUB[ ]?Zone[ ]+set[- ]aside|service[- ]disabled[ ]+veteran[- ]owned[ ]+small[ ]+business[ ]+(?:\(SDVOSB\)[ ]+)?set[- ]aside|\b(?:ED)?WOSB[ ]+set[- ]aside|wom[ae]n[- ]owned[ ]+small[ ]+business[ ]+(?:\(WOSB\)[ ]+)?(?:program[ ]+)?set[- ]aside|\bunrestricted\b|full[ ]+and[ ]+open[ ]+competition", Options, Timeout)]
    private static partial Regex SetAsideMention();

    [GeneratedRegex(@"economically[ ]+disadvantaged[ ]+wom[ae]n|\bEDWOSB\b", Options, Timeout)]
    private static partial Regex EconomicallyDisadvantagedWomen();

    [GeneratedRegex(@"wom[ae]n[- ]owned|\bWOSB\b", Options, Timeout)]
    private static partial Regex WomenOwned();

    [GeneratedRegex(@"service[- ]disabled|\bSDVOSB?\b", Options, Timeout)]
    private static partial Regex ServiceDisabledVeteran();

    [GeneratedRegex(@"veteran[- ]owned|\bVOSB\b", Options, Timeout)]
    private static partial Regex VeteranOwned();

    [GeneratedRegex(@"\bHUB[ ]?Zone\b", Options, Timeout)]
    private static partial Regex HubZone();

    [GeneratedRegex(@"\b8\(a\)", Options, Timeout)]
    private static partial Regex EightA();

    [GeneratedRegex(@"\bpartial\b[^\n]{0,20}small[ ]+business", Options, Timeout)]
    private static partial Regex PartialSmallBusiness();

    [GeneratedRegex(@"small[ ]+business", Options, Timeout)]
    private static partial Regex SmallBusiness();

    [GeneratedRegex(@"unrestricted|full[ ]+and[ ]+open|\bnone\b|not[ ]+set[- ]aside", Options, Timeout)]
    private static partial Regex Unrestricted();

    [GeneratedRegex(@"^[ ]*(?:[A-Z]?\.?\d{0,2}(?:\.\d{1,2})*[ ]+)?(?:principal[ ]+)?place[ ]+of[ ]+performance(?:[ ]+(?:is|will[ ]+be|address|location))?[ ]*[:\-–]?[ ]*(?:\n[ ]*){0,2}(?<v>[^\n]{3,200})", Options, Timeout)]
    private static partial Regex LabeledPlace();

    [GeneratedRegex(@"\G\n[ ]*(?<v>[^\n]{0,120}\b[A-Z]{2}[ ]+\d{5}(?:-\d{4})?\b[^\n]{0,40})", RegexOptions.CultureInvariant, Timeout)]
    private static partial Regex NextLineAddress();
}
