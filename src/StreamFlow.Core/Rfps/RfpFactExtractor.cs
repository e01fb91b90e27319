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
        FirstValue(index, LabeledTitle()) ?? FirstValue(index, SolicitationHeadingTitle())
        ?? FirstValue(index, NumberThenTitle()) ?? FirstValue(index, LineAfterSolicitationHeading());

    internal static RfpFact<string>? Agency(RfpTextIndex index) =>
        FirstValue(index, SamAgencyPath()) ?? FirstValue(index, LabeledAgency()) ?? FirstValue(index, IssuedBy())
        ?? FirstValue(index, DepartmentLine()) ?? Letterhead(index);

    /// <summary>The issuing body as letterhead: one of the first lines, naming an organisation, not the document.</summary>
    private static RfpFact<string>? Letterhead(RfpTextIndex index)
    {
        var lines = 0;
        foreach (Match line in NonEmptyLine().Matches(index.Text))
        {
            if (++lines > LetterheadLines)
            {
                break;
            }

            var value = line.Groups["v"];
            if (Organisation().IsMatch(value.Value) && !DocumentWords().IsMatch(value.Value))
            {
                return Fact(index, value, RfpText.Collapse(value.Value).TrimEnd(',', ';', ':'));
            }
        }

        return null;
    }

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

        return FirstValue(index, NumberAfterSolicitationHeading()) ?? FirstValue(index, UniformPiid());
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

        if (SetAsideProse().Match(index.Text) is { Success: true } prose && Classify(RfpText.Collapse(prose.Groups["v"].Value)) is { } stated)
        {
            return new RfpFact<RfpSetAside>(new RfpSetAside(stated, RfpText.Collapse(prose.Value)), index.Source(prose.Index, prose.Index + prose.Length));
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
    private const int LetterheadLines = 4;

    // The list number a form box or an outline puts before a label: "8.", "13b.", "1.2", "C.4", "(vi)", "b)".
    private const string ListNumber = @"(?:(?:\d{1,2}[a-z]?(?:\.\d{1,2})*\.?|[A-Z]\.\d{1,2}(?:\.\d{1,2})*\.?|\(?(?:[a-z]|[ivx]{1,5})[.)])[ ]+)?";

    // "Title: ...", "Project Title: ...", "b. Project Title: ...", "Project: ...", and the SF-form layout with the value in the next cell.
    [GeneratedRegex(@"^[ ]*" + ListNumber + @"(?:(?:project|solicitation|contract|requirement|procurement|rfp|rfq)?[ ]*title(?:[ ]+of[ ]+(?:project|requirement))?|project(?:[ ]+name)?|subject)[ ]*:[ ]*(?:\n[ ]*){0,2}(?<v>[^\n]{3,200})", Options, Timeout)]
    private static partial Regex LabeledTitle();

    // "Request for Proposals No. 123-45: HVAC Maintenance", "RFP 2027-014 - Roof Replacement".
    [GeneratedRegex(@"^[ ]*(?:request[ ]+for[ ]+(?:proposals?|quotations?|quotes?|qualifications)|invitation[ ]+(?:for|to)[ ]+bids?|rfp|rfq|ifb)\b[^\n:–—]{0,50}?(?::|–|—|[ ]-[ ])[ ]*(?<v>[^\n]{3,200})", Options, Timeout)]
    private static partial Regex SolicitationHeadingTitle();

    // "IFB 27-0098 Plumbing Repair and Backflow Testing Services": the number, then the title on the same line.
    [GeneratedRegex(@"^[ ]*(?:RFP|RFQ|IFB|ITB)[ ]*(?:#|No\.?)?[ ]*\d[A-Z0-9\-_./]{1,40}[ ]+(?<v>[A-Z][^\n:]{3,200})$", RegexOptions.Multiline | RegexOptions.CultureInvariant, Timeout)]
    private static partial Regex NumberThenTitle();

    // The letterhead layout: "REQUEST FOR QUOTES" / "RFQ #27-112" / "Landscape Maintenance ...", or "... NO. 303-27-0145" / "FOR" / title.
    [GeneratedRegex(@"^[ ]*(?:request[ ]+for[ ]+(?:proposals?|quotations?|quotes?|qualifications)|invitation[ ]+(?:for|to)[ ]+bids?|(?:combined[ ]+synopsis[ ]*/[ ]*)?solicitation|rfp|rfq|ifb|itb|(?:job|project|contract)[ ]+(?:no\.?|number|#))\b[^\n:]{0,60}\n(?:[ ]*for[ ]*\n)?(?:[ ]*(?:rfp|rfq|ifb|itb)\b[^\n:]{0,40}\d[^\n:]*\n)?[ ]*(?<v>[A-Z][^\n:]{5,200})$", Options, Timeout)]
    private static partial Regex LineAfterSolicitationHeading();

    // SAM.gov's layout: "Department/Ind. Agency: HOMELAND SECURITY, DEPARTMENT OF".
    [GeneratedRegex(@"^[ ]*department[ ]*/[ ]*ind(?:ependent|\.)?[ ]+agency[ ]*:[ ]*(?<v>[^\n]{3,200})", Options, Timeout)]
    private static partial Regex SamAgencyPath();

    [GeneratedRegex(@"^[ ]*" + ListNumber + @"(?:issuing|contracting|procuring|requesting|requiring|buying|awarding)?[ ]*(?:agency|office|activity|department|organization)(?:[ ]+name)?[ ]*:[ ]*(?:\n[ ]*){0,2}(?<v>[^\n]{3,200})", Options, Timeout)]
    private static partial Regex LabeledAgency();

    [GeneratedRegex(@"^[ ]*" + ListNumber + @"issued[ ]+by(?:[ ]+code[ ]+\S+)?[ ]*:?[ ]*(?:\n[ ]*){0,2}(?<v>[^\n]{3,200})", Options, Timeout)]
    private static partial Regex IssuedBy();

    [GeneratedRegex(@"^[ ]*(?<v>(?:U\.?S\.?[ ]+|United[ ]+States[ ]+)?(?:Department|Dept\.)[ ]+of[ ]+(?:the[ ]+)?[A-Z][^\n]{2,150})", RegexOptions.Multiline | RegexOptions.CultureInvariant, Timeout)]
    private static partial Regex DepartmentLine();

    [GeneratedRegex(@"^[ ]*(?<v>\S[^\n]{2,150})$", RegexOptions.Multiline | RegexOptions.CultureInvariant, Timeout)]
    private static partial Regex NonEmptyLine();

    [GeneratedRegex(@"\b(?:department|dept\.|agency|administration|commission|services?|command|office|bureau|authority|district|county|city[ ]+of|town[ ]+of|village[ ]+of|state[ ]+of|university|college|schools|regents|corps|squadron|division)\b", Options, Timeout)]
    private static partial Regex Organisation();

    [GeneratedRegex(@"\b(?:solicitation|request|invitation|contract|notice|award|amendment|proposals?|quot\w*|bids?)\b|^[ ]*(?:rfp|rfq|ifb|itb)\b|\d{3,}", Options, Timeout)]
    private static partial Regex DocumentWords();

    [GeneratedRegex(@"\b(?:(?:solicitation|rfp|rfq|ifb|itb|bid|tender|procurement|job|reference)[ ]*\)?[ ]*(?:number|no\.?|num\.?|#|id)|(?:request[ ]+for[ ]+(?:proposals?|quotations?|quotes?|bids?)|invitation[ ]+(?:for|to)[ ]+bids?)[ ]*(?:number|no\.?|#)|notice[ ]+id)[ ]*[:.]?[ ]*(?:is[ ]+)?(?:\n[ ]*){0,2}(?<v>(?:(?:RFP|RFQ|IFB|ITB)[ ]+)?[A-Z0-9][A-Z0-9\-_./]{2,40}[A-Z0-9])", Options, Timeout)]
    private static partial Regex LabeledSolicitationNumber();

    // A heading with the number after the document type: "RFP 2000003812", "Request for Proposals 23987", "REQUEST FOR QUOTES No. 269-2027-041".
    [GeneratedRegex(@"(?:\b(?:RFP|RFQ|IFB|ITB)|\b(?:Request|REQUEST)[ ]+(?:for|FOR)[ ]+(?:Proposals?|PROPOSALS?|Quot\w+|QUOT\w+|Bids?|BIDS?))[ ]*(?:#|No\.?|NO\.?)?[ ]*(?<v>\d[A-Z0-9\-_./]{2,40}[A-Z0-9])\b", RegexOptions.Multiline | RegexOptions.CultureInvariant, Timeout)]
    private static partial Regex NumberAfterSolicitationHeading();

    // The uniform PIID of FAR 4.1601: office code, fiscal year, instrument letter, serial (W912DQ24R0012, 36C255-24-Q-0123).
    [GeneratedRegex(@"\b(?<v>[A-Z0-9]{6}-?\d{2}-?[A-Z]-?\d{4})\b", RegexOptions.CultureInvariant, Timeout)]
    private static partial Regex UniformPiid();

    // "NAICS Code: 238220", "The anticipated NAICS code is" / "561730" (a line may break before the code).
    [GeneratedRegex(@"\bNAICS\b(?:[ ]+codes?)?(?:[^\n\d]|\n(?![ ]*\n)){0,40}(?<codes>\d{6}(?:[ ]*(?:,|;|/|&|and|or)?[ ]*\d{6})*)", Options, Timeout)]
    private static partial Regex NaicsList();

    [GeneratedRegex(@"\d{6}", RegexOptions.CultureInvariant, Timeout)]
    private static partial Regex SixDigits();

    [GeneratedRegex(@"^[ ]*" + ListNumber + @"(?:type[ ]+of[ ]+)?set[- ]?aside(?:[ ]+(?:type|status))?[ ]*:[ ]*(?:\n[ ]*){0,2}(?<v>[^\n]{2,150})", Options, Timeout)]
    private static partial Regex LabeledSetAside();

    // The sentence agencies write instead of a label: "is set aside 100% for small business concerns", "intends to set this
    // acquisition aside for HUBZone small business concerns", "set aside exclusively for women-owned small business concerns".
    [GeneratedRegex(@"\bset\s+(?:this\s+(?:acquisition|requirement|procurement)\s+)?aside\s+(?:\d{1,3}\s?%\s+|exclusively\s+|totally\s+|entirely\s+)?for\s+(?<v>[^.;]{0,40}?(?:small\s+business(?:es)?|SDVOSBs?|VOSBs?|WOSBs?|EDWOSBs?|HUB\s?Zone|8\(a\))[^.;]{0,40})|\b\d{1,3}\s?%\s+set[- ]aside\s+for\s+(?<v>[^.;]{0,40}?small\s+business[^.;]{0,40})", Options, Timeout)]
    private static partial Regex SetAsideProse();

    [GeneratedRegex(@"(?:total|partial)?[ ]*small[ ]+business[ ]+set[- ]aside|set[- ]aside[ ]+(?:exclusively[ ]+)?for[ ]+(?:total[ ]+)?small[ ]+business(?:es|[ ]+concerns)?|\b8\(a\)[ ]+(?:set[- ]aside|sole[ ]+source|program|competitive|business[ ]+development)|\bHUB[ ]?Zone[ ]+set[- ]aside|service[- ]disabled[ ]+veteran[- ]owned[ ]+small[ ]+business[ ]+(?:\(SDVOSB\)[ ]+)?set[- ]aside|\b(?:ED)?WOSB[ ]+set[- ]aside|wom[ae]n[- ]owned[ ]+small[ ]+business[ ]+(?:\(WOSB\)[ ]+)?(?:program[ ]+)?set[- ]aside|\bunrestricted\b|full[ ]+and[ ]+open[ ]+competition", Options, Timeout)]
    private static partial Regex SetAsideMention();

    [GeneratedRegex(@"economically[ ]+disadvantaged[ ]+wom[ae]n|\bEDWOSB\b", Options, Timeout)]
    private static partial Regex EconomicallyDisadvantagedWomen();

    [GeneratedRegex(@"wom[ae]n[- ]owned|\bWOSB\b", Options, Timeout)]
    private static partial Regex WomenOwned();

    [GeneratedRegex(@"service[- ]disabled|\bSDVOSBs?\b", Options, Timeout)]
    private static partial Regex ServiceDisabledVeteran();

    [GeneratedRegex(@"veteran[- ]owned|\bVOSBs?\b", Options, Timeout)]
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

    // "Place of Performance: ...", "(vi) Place of performance: ...", "Location of Work: ...", "1.2 Location. The work will be performed at ...".
    [GeneratedRegex(@"^[ ]*" + ListNumber + @"(?:(?:principal[ ]+)?place[ ]+of[ ]+performance(?:[ ]+(?:is|will[ ]+be|address|location))?[ ]*[:\-–]?|(?:(?:work|project|job)[ ]+)?location(?:[ ]+of[ ]+(?:work|services|performance))?[ ]*[:.])[ ]*(?:\n[ ]*){0,2}(?:the[ ]+work[ ]+(?:will[ ]+be|is)[ ]+performed[ ]+at[ ]+)?(?<v>[^\n]{3,200})", Options, Timeout)]
    private static partial Regex LabeledPlace();

    [GeneratedRegex(@"\G\n[ ]*(?<v>[^\n]{0,120}\b[A-Z]{2}[ ]+\d{5}(?:-\d{4})?\b[^\n]{0,40})", RegexOptions.CultureInvariant, Timeout)]
    private static partial Regex NextLineAddress();
}
