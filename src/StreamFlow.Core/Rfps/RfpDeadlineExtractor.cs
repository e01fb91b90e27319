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

    private static readonly Dictionary<string, string> Zones = new(StringComparer.OrdinalIgnoreCase)
    {
        ["EST"] = "America/New_York", ["EDT"] = "America/New_York", ["ET"] = "America/New_York", ["EASTERN"] = "America/New_York",
        ["CST"] = "America/Chicago", ["CDT"] = "America/Chicago", ["CT"] = "America/Chicago", ["CENTRAL"] = "America/Chicago",
        ["MST"] = "America/Denver", ["MDT"] = "America/Denver", ["MT"] = "America/Denver", ["MOUNTAIN"] = "America/Denver",
        ["PST"] = "America/Los_Angeles", ["PDT"] = "America/Los_Angeles", ["PT"] = "America/Los_Angeles", ["PACIFIC"] = "America/Los_Angeles",
        ["AKST"] = "America/Anchorage", ["AKDT"] = "America/Anchorage", ["ALASKA"] = "America/Anchorage",
        ["HST"] = "Pacific/Honolulu", ["HAST"] = "Pacific/Honolulu", ["HAWAII"] = "Pacific/Honolulu",
        ["UTC"] = "UTC", ["GMT"] = "UTC", ["Z"] = "UTC",
    };

    public static RfpFact<RfpDeadline>? ResponseDue(RfpTextIndex index)
    {
        foreach (Match trigger in ResponseTrigger().Matches(index.Text))
        {
            var lineStart = index.Text.LastIndexOf('\n', Math.Max(0, trigger.Index - 1)) + 1;
            if (QuestionWords().IsMatch(index.Text.AsSpan(lineStart, trigger.Index + trigger.Length - lineStart)))
            {
                continue; // "questions are due ..." is the other deadline
            }

            if (After(index, trigger.Index + trigger.Length) is { } deadline)
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

    /// <summary>The first date after <paramref name="from"/> within the window, with the time and zone written next to it.</summary>
    internal static RfpFact<RfpDeadline>? After(RfpTextIndex index, int from)
    {
        var text = index.Text;
        var windowEnd = Math.Min(text.Length, from + DateWindow);
        var date = DatePattern().Match(text, from, windowEnd - from);
        if (!date.Success || ParseDate(date) is not { } day)
        {
            return null;
        }

        // The time follows the date ("March 15, 2027 at 2:00 PM") or stands between trigger and date ("2:00 PM on March 15").
        var start = date.Index;
        var end = date.Index + date.Length;
        var afterLength = Math.Min(70, text.Length - end);
        var time = TimePattern().Match(text, end, afterLength);
        if (!time.Success)
        {
            var before = Math.Max(from, date.Index - 60);
            time = TimePattern().Match(text, before, date.Index - before);
        }

        TimeOnly? clock = null;
        string? zone = null;
        if (time.Success && ParseTime(time) is { } parsed)
        {
            clock = parsed;
            start = Math.Min(start, time.Index);
            end = Math.Max(end, time.Index + time.Length);
            var zoneMatch = ZonePattern().Match(text, time.Index + time.Length, Math.Min(30, text.Length - (time.Index + time.Length)));
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

        var iana = zone is null ? null : Zones.GetValueOrDefault(zone.ToUpperInvariant());
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

    [GeneratedRegex(@"\b(?:(?:offers?|proposals?|quotes?|quotations?|bids?|responses?|submissions?|applications?|packages?)\b[^\n.]{0,60}?\b(?:(?:are|is|will[ ]+be)[ ]+due|due|must[ ]+be[ ]+(?:received|submitted|delivered)|shall[ ]+be[ ]+(?:received|submitted|delivered)|(?:are|is)[ ]+to[ ]+be[ ]+(?:received|submitted)|will[ ]+be[ ]+(?:received|accepted)[ ]+until|no[ ]+later[ ]+than)|(?:offer|proposal|response|bid|quote)?[ ]*(?:due[ ]+date|closing[ ]+date|deadline|closing[ ]+time)(?:[ ]*(?:/|and)[ ]*(?:local[ ]+)?time)?|date[ ]+and[ ]+time[ ]+(?:for[ ]+)?(?:receipt|submission|opening)[ ]+of[ ]+(?:offers|proposals|bids|quotes))", Options, Timeout)]
    private static partial Regex ResponseTrigger();

    [GeneratedRegex(@"question|inquir|clarification|\bRFIs?\b", Options, Timeout)]
    private static partial Regex QuestionWords();

    [GeneratedRegex(@"\b(?:questions?|inquiries|requests[ ]+for[ ]+clarification|clarification[ ]+requests?)\b[^\n]{0,120}?\b(?:due|deadline|no[ ]+later[ ]+than|received[ ]+by|submitted[ ]+by|by|before|until)\b", Options, Timeout)]
    private static partial Regex QuestionTrigger();

    [GeneratedRegex(@"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?[ ]+)?(?:\b(?<mname>" + Month + @")\.?[ ]+(?<mday>\d{1,2})(?:st|nd|rd|th)?,?[ ]+(?<myear>\d{4})\b|\b(?<dday>\d{1,2})(?:st|nd|rd|th)?[ ]+(?<dname>" + Month + @")\.?,?[ ]+(?<dyear>\d{4})\b|\b(?<smonth>\d{1,2})/(?<sday>\d{1,2})/(?<syear>\d{4}|\d{2})\b|\b(?<iyear>\d{4})-(?<imonth>\d{2})-(?<iday>\d{2})\b)", Options, Timeout)]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"\b(?:(?<noon>noon)|(?<hour>\d{1,2})(?::(?<minute>[0-5]\d))?[ ]*(?<ampm>[ap]\.?[ ]?m\b\.?)|(?<hour>[01]?\d|2[0-3]):?(?<minute>[0-5]\d)[ ]*(?:hours|hrs|h)\b|(?<hour>[01]?\d|2[0-3]):(?<minute>[0-5]\d)\b)", Options, Timeout)]
    private static partial Regex TimePattern();

    [GeneratedRegex(@"^[ ,()]*(?:\(?[ ]*)?\b(?<zone>AK[SD]T|HAST|[ECMP][SD]T|[ECMP]T|HST|UTC|GMT|Z|eastern|central|mountain|pacific|alaska|hawaii)\b", Options, Timeout)]
    private static partial Regex ZonePattern();
}
