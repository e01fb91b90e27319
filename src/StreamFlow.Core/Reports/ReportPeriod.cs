using System.Text.Json.Serialization;

namespace StreamFlow.Core.Reports;

public enum ReportPeriodKind
{
    Day,
    Week,
    Month,
}

/// <summary>
/// A calendar period in a time zone: local dates [Start, End) and the UTC instants they begin and end at. Weeks
/// start on Monday (ISO 8601). A local midnight that a DST change skips starts the day at the first instant after it.
/// </summary>
public sealed record ReportPeriod(ReportPeriodKind Kind, DateOnly Start, DateOnly End, string TimeZone, DateTimeOffset StartUtc, DateTimeOffset EndUtc)
{
    [JsonIgnore]
    public TimeZoneInfo Zone { get; private init; } = TimeZoneInfo.Utc;

    public static ReportPeriod Containing(ReportPeriodKind kind, DateOnly date, TimeZoneInfo zone)
    {
        var start = kind switch
        {
            ReportPeriodKind.Day => date,
            ReportPeriodKind.Week => date.AddDays(-(((int)date.DayOfWeek + 6) % 7)),
            ReportPeriodKind.Month => new DateOnly(date.Year, date.Month, 1),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var end = kind switch
        {
            ReportPeriodKind.Day => start.AddDays(1),
            ReportPeriodKind.Week => start.AddDays(7),
            _ => start.AddMonths(1),
        };
        return new ReportPeriod(kind, start, end, zone.Id, StartOfDay(start, zone), StartOfDay(end, zone)) { Zone = zone };
    }

    /// <summary>The latest period that has ended at <paramref name="now"/>: yesterday, last week or last month.</summary>
    public static ReportPeriod LastComplete(ReportPeriodKind kind, DateTimeOffset now, TimeZoneInfo zone) =>
        Containing(kind, LocalDate(now, zone), zone).Previous();

    public ReportPeriod Previous() => Containing(Kind, Start.AddDays(-1), Zone);

    public static DateOnly LocalDate(DateTimeOffset instant, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);

    /// <summary>The instant a local date begins; the earlier one if midnight happens twice, the first valid one if it is skipped.</summary>
    public static DateTimeOffset StartOfDay(DateOnly date, TimeZoneInfo zone) => AtLocalTime(date, TimeOnly.MinValue, zone);

    public static DateTimeOffset AtLocalTime(DateOnly date, TimeOnly time, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    /// <summary>A tenant's time zone by IANA id; an unknown id falls back to UTC rather than failing a report.</summary>
    public static TimeZoneInfo ZoneOrUtc(string? id) =>
        id is { Length: > 0 } && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    public static bool TryParseKind(string? text, out ReportPeriodKind kind)
    {
        kind = text switch
        {
            "day" => ReportPeriodKind.Day,
            "week" => ReportPeriodKind.Week,
            "month" => ReportPeriodKind.Month,
            _ => (ReportPeriodKind)(-1),
        };
        return Enum.IsDefined(kind);
    }

    public static string Name(ReportPeriodKind kind) => kind.ToString().ToLowerInvariant();
}
