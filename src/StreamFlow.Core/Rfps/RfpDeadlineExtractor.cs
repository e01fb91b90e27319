using System.Globalization;
using System.Text.RegularExpressions;

namespace StreamFlow.Core.Rfps;

/// <summary>
/// Offer and question deadlines: a trigger phrase ("Offers are due", "OFFER DUE DATE/LOCAL TIME", "Questions ... no
/// later than"), then the first date within a short window after it, the time next to that date and the zone next to
/// the time ("2:00 PM EST", "1400 hours Central Time").
/// </summary>
internal static partial class RfpDeadlineExtractor
{
    private const int DateWindow = 220;
    private const int AttachedTime = 14;

    private static readonly Dictionary<string, string> Zones = new(StringComparer.OrdinalIgnoreCase)
    {
        ["EST"] = "America/New_York", ["EDT"] = "America/New_York", ["ET"] = "America/New_York", ["EASTERN"] = "America/New_York",
        ["CST"] = "America/Chicago", ["CDT"] = "America/Chicago", ["CT"] = "America/Chicago", ["CENTRAL"] = "America/Chicago",
        ["MST"] = "America/Denver", ["MDT"] = "America/Denver", ["MT"] = "America/Denver", ["MOUNTAIN"] = "America/Denver",
        ["PST"] = "America/Los_Angeles", ["PDT"] = "America/Los_Angeles", ["PT"] = "America/Los_Angeles", ["PACIFIC"] = "America/Los_Angeles",
        ["AKST"] = "America/Anchorage", ["AKDT"] = "America/Anchorage", ["ALASKA"] = "America/Anchorage",
        ["HST"] = "Pacific/Honolulu", ["HAST"] = "Pacific/Honolulu", ["HAWAII"] = "Pacific/Honolulu",
        ["ARIZONA"] = "America/Phoenix", ["ARIZONA TIME"] = "America/Phoenix",
        ["UTC"] = "UTC", ["GMT"] = "UTC", ["Z"] = "UTC",
    };

    public static RfpFact<RfpDeadline>? ResponseDue(RfpTextIndex index)
    {
        foreach (Match trigger in ResponseTrigger().Matches(index.Text))
        {
            if (After(index, trigger.Index + trigger.Length) is not { } deadline)
            {
                continue;
            }

            // "Deadline for submission of questions ... March 16": the question deadline, not the offers'.
            var triggerEnd = trigger.Index + trigger.Length;
            var lineStart = index.Text.LastIndexOf('\n', Math.Max(0, trigger.Index - 1)) + 1;
            var dateStart = DatePattern().Match(index.Text, triggerEnd, Math.Min(DateWindow, index.Text.Length - triggerEnd)).Index;
            if (!QuestionWords().IsMatch(index.Text.AsSpan(lineStart, dateStart - lineStart)))
            {
                return deadline;
            }
        }

        return null;
    }

    public static RfpFact<RfpDeadline>? QuestionsDue(RfpTextIndex index)
    {
        foreach (Match trigger in QuestionTrigger().Matches(index.Text))
        {
            if (After(index, trigger.Index + trigger.Length) is { } deadline)
            {
                return deadline;
            }
        }

        return null;
    }

    /// <summary>
    /// The first date after <paramref name="from"/> within the window (the new one when the text reads "extended from
    /// X to Y"), with the time written next to it and the zone next to the time.
    /// </summary>
    internal static RfpFact<RfpDeadline>? After(RfpTextIndex index, int from)
    {
        var text = index.Text;
        var windowEnd = Math.Min(text.Length, from + DateWindow);
        var date = DatePattern().Match(text, from, windowEnd - from);
        if (!date.Success || ParseDate(date) is not { } day)
        {
            return null;
        }

        if (ExtendedTo().Match(text, date.Index + date.Length) is { Success: true } extension
            && FromBefore().IsMatch(text.AsSpan(Math.Max(from, date.Index - 8), date.Index - Math.Max(from, date.Index - 8)))
            && DatePattern().Match(text, extension.Index + extension.Length) is { Success: true } newDate && newDate.Index == extension.Index + extension.Length
            && ParseDate(newDate) is { } newDay)
        {
            (date, day, from) = (newDate, newDay, extension.Index + extension.Length);
        }

        // The time follows the date ("March 15, 2027 at 2:00 PM") or stands before it ("2:00 PM on March 15"); a time
        // further on belongs to the next sentence.
        var start = date.Index;
        var end = date.Index + date.Length;
        var time = TimePattern().Match(text, end, Math.Min(AttachedTime, text.Length - end));
        if (!time.Success)
        {
            var before = Math.Max(from, date.Index - 60);
            time = TimePattern().Match(text, before, date.Index - before);
        }

        if (!time.Success)
        {
            var sentenceEnd = SentenceEnd().Match(text, end, Math.Min(70, text.Length - end));
            var length = sentenceEnd.Success ? sentenceEnd.Index - end : Math.Min(70, text.Length - end);
            time = TimePattern().Match(text, end, length);
        }

        TimeOnly? clock = null;
        string? zone = null;
        if (time.Success && ParseTime(time) is { } parsed)
        {
            clock = parsed;
            start = Math.Min(start, time.Index);
            end = Math.Max(end, time.Index + time.Length);
            var zoneMatch = ZonePattern().Match(text, time.Index + time.Length, Math.Min(40, text.Length - (time.Index + time.Length)));
            if (!zoneMatch.Success && time.Index > date.Index)
            {
                zoneMatch = ZonePattern().Match(text, end, Math.Min(40, text.Length - end));
            }

            if (zoneMatch.Success)
            {
                zone = zoneMatch.Groups["zone"].Value;
                end = Math.Max(end, zoneMatch.Index + zoneMatch.Length);
            }
        }

        var iana = zone is null ? null : Zones.GetValueOrDefault(RfpText.Collapse(zone).ToUpperInvariant());
        return new RfpFact<RfpDeadline>(new RfpDeadline(day, clock, zone, iana, ToUtc(day, clock, iana)), index.Source(start, end));
    }

    internal static DateTimeOffset? ToUtc(DateOnly date, TimeOnly? time, string? ianaZone)
    {
        if (time is not { } clock || ianaZone is null)
        {
            return null;
        }

        var local = date.ToDateTime(clock, DateTimeKind.Unspecified);
        if (ianaZone == "UTC")
        {
            return new DateTimeOffset(local, TimeSpan.Zero);
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(ianaZone);
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }

    internal static DateOnly? ParseDate(Match date)
    {
        var groups = date.Groups;
        int year, month, day;
        if (groups["mname"].Success)
        {
            month = MonthNumber(groups["mname"].Value);
            day = int.Parse(groups["mday"].Value, CultureInfo.InvariantCulture);
            year = int.Parse(groups["myear"].Value, CultureInfo.InvariantCulture);
        }
        else if (groups["dname"].Success)
        {
            month = MonthNumber(groups["dname"].Value);
            day = int.Parse(groups["dday"].Value, CultureInfo.InvariantCulture);
            year = int.Parse(groups["dyear"].Value, CultureInfo.InvariantCulture);
        }
        else if (groups["smonth"].Success)
        {
            month = int.Parse(groups["smonth"].Value, CultureInfo.InvariantCulture);
            day = int.Parse(groups["sday"].Value, CultureInfo.InvariantCulture);
            year = int.Parse(groups["syear"].Value, CultureInfo.InvariantCulture);
            year = year < 100 ? 2000 + year : year;
        }
        else
        {
            year = int.Parse(groups["iyear"].Value, CultureInfo.InvariantCulture);
            month = int.Parse(groups["imonth"].Value, CultureInfo.InvariantCulture);
            day = int.Parse(groups["iday"].Value, CultureInfo.InvariantCulture);
        }

        return month is >= 1 and <= 12 && year is >= 1990 and <= 2200 && day >= 1 && day <= DateTime.DaysInMonth(year, month)
            ? new DateOnly(year, month, day)
            : null;
    }

    internal static TimeOnly? ParseTime(Match time)
    {
        var groups = time.Groups;
        if (groups["noon"].Success)
        {
            return new TimeOnly(12, 0);
        }

        var hour = int.Parse(groups["hour"].Value, CultureInfo.InvariantCulture);
        var minute = groups["minute"].Success ? int.Parse(groups["minute"].Value, CultureInfo.InvariantCulture) : 0;
        if (groups["ampm"].Success)
        {
            if (hour is < 1 or > 12)
            {
                return null;
            }

            var pm = groups["ampm"].Value.StartsWith('p') || groups["ampm"].Value.StartsWith('P');
            hour = (hour % 12) + (pm ? 12 : 0);
        }

        return hour is >= 0 and <= 23 && minute is >= 0 and <= 59 ? new TimeOnly(hour, minute) : null;
    }

    private static int MonthNumber(string name) => name[..3].ToUpperInvariant() switch
    {
        "JAN" => 1, "FEB" => 2, "MAR" => 3, "APR" => 4, "MAY" => 5, "JUN" => 6,
        "JUL" => 7, "AUG" => 8, "SEP" => 9, "OCT" => 10, "NOV" => 11, "DEC" => 12, _ => 0,
    };

    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
    private const int Timeout = 2000;
    private const string Month = "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";

    [GeneratedRegex(@"\b(?:(?:offers?|proposals?|quotes?|quotations?|bids?|responses?|submissions?|applications?|packages?|(?:capability|qualifications?)[ ]+statements?)\b[^\n.]{0,100}?\b(?:(?:are|is|will[ ]+be)[ ]+due|due|must[ ]+be[ ]+(?:received|submitted|delivered)|shall[ ]+be[ ]+(?:received|submitted|delivered)|(?:are|is)[ ]+to[ ]+be[ ]+(?:received|submitted)|(?:will|shall)[ ]+be[ ]+(?:received|accepted)|no[ ]+later[ ]+than)|(?:offer|proposal|response|bid|quote)?[ ]*(?:due[ ]+date|closing[ ]+date|deadline|closing[ ]+time)s?\b(?:[ ]*(?:/|and)[ ]*(?:local[ ]+)?time)?|\bresponse[ ]+date\b|date[ ]+and[ ]+time[ ]+(?:for[ ]+)?(?:receipt|submission|opening)[ ]+of[ ]+(?:offers|proposals|bids|quotes))", Options, Timeout)]
    private static partial Regex ResponseTrigger();

    [GeneratedRegex(@"question|inquir|clarification|\bRFIs?\b|requests?[ ]+for[ ]+information", Options, Timeout)]
    private static partial Regex QuestionWords();

    // The question words, when their sentence says when ("Questions ... no later than", "Deadline for submission of questions",
    // "The last day to submit questions is April 8, 2027 by 5:00 p.m."): the date is the first one after the words.
    [GeneratedRegex(@"\b(?:(?:deadline|last[ ]+day)[ ]+(?:for|to)[ ]+(?:the[ ]+)?(?:submission[ ]+of[ ]+|submit(?:ting)?[ ]+)?(?:written[ ]+)?(?:questions|inquiries|RFIs)\b|(?:questions?|inquiries|requests[ ]+for[ ]+(?:clarification|information)|clarification[ ]+requests?|RFIs?)\b(?=[^.]{0,160}?\b(?:due|deadline|no[ ]+later[ ]+than|received|submitted|by|before|until)\b))", Options, Timeout)]
    private static partial Regex QuestionTrigger();

    [GeneratedRegex(@"\G[ ,]+(?:to|until)[ ]+", Options, Timeout)]
    private static partial Regex ExtendedTo();

    [GeneratedRegex(@"\bfrom[ ]+$", Options, Timeout)]
    private static partial Regex FromBefore();

    [GeneratedRegex(@"[.;!?](?:\s|$)|\n[ ]*\n", Options, Timeout)]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?[ ]+)?(?:\b(?<mname>" + Month + @")\.?[ ]+(?<mday>\d{1,2})(?:st|nd|rd|th)?,?[ ]+(?<myear>\d{4})\b|\b(?<dday>\d{1,2})(?:st|nd|rd|th)?[ ]+(?<dname>" + Month + @")\.?,?[ ]+(?<dyear>\d{4})\b|\b(?<smonth>\d{1,2})/(?<sday>\d{1,2})/(?<syear>\d{4}|\d{2})\b|\b(?<iyear>\d{4})-(?<imonth>\d{2})-(?<iday>\d{2})\b)", Options, Timeout)]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"\b(?:(?<noon>noon)|(?<hour>\d{1,2})(?::(?<minute>[0-5]\d))?[ ]*(?<ampm>[ap]\.?[ ]?m\b\.?)|(?<hour>[01]?\d|2[0-3]):?(?<minute>[0-5]\d)[ ]*(?:hours|hrs|h)\b|(?<hour>[01]?\d|2[0-3]):(?<minute>[0-5]\d)\b|(?<hour>[01]\d|2[0-3])(?<minute>[0-5]\d)(?=[ ]+(?:AK[SD]T|HAST|[ECMP][SD]T|[ECMP]T|HST|UTC|GMT)\b))", Options, Timeout)]
    private static partial Regex TimePattern();

    [GeneratedRegex(@"^[\s,()]*(?:noon[\s,]*)?(?:(?:prevailing[ ]+)?local[ ]+(?=arizona)|local[ ]+time[\s,()]*)?\b(?<zone>arizona(?:[ ]+time)?|AK[SD]T|HAST|[ECMP][SD]T|[ECMP]T|HST|UTC|GMT|Z|eastern|central|mountain|pacific|alaska|hawaii)\b", Options, Timeout)]
    private static partial Regex ZonePattern();
}
