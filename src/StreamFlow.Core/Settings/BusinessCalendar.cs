using System.Globalization;

namespace StreamFlow.Core.Settings;

/// <summary>
/// The business's open hours as instants: "15 business minutes after this lead arrived" in the business's own zone.
/// A day's hours open on that day and close later that day, at midnight (<c>24:00</c>), or, when the closing time is
/// earlier than the opening, on the next day (a bar open 18:00-02:00; 00:00-24:00 is open around the clock). A day's
/// opening and closing are turned into UTC separately, so hours that lose or gain an hour to daylight saving time count
/// the hours that really pass; a local time inside a spring-forward gap moves forward by the gap, an ambiguous one at
/// the fall-back takes its first occurrence. A holiday closes the hours that open on it (the night that began the day
/// before runs to its closing). Hours of two days that overlap count once.
/// </summary>
public sealed class BusinessCalendar
{
    // Ten years of closed days in a row can only mean the week has no open day; the settings refuse that, this guards.
    private const int MaxDaysSearched = 3660;

    private readonly TimeZoneInfo _zone;
    private readonly (TimeOnly Open, TimeOnly Close, bool NextDay)?[] _week = new (TimeOnly, TimeOnly, bool)?[7];
    private readonly HashSet<DateOnly> _holidays;

    public BusinessCalendar(TimeZoneInfo zone, WeeklyHours hours, IEnumerable<Holiday> holidays)
    {
        _zone = zone;
        foreach (var day in Enum.GetValues<DayOfWeek>())
        {
            if (hours.For(day) is { } open && TryParse(open.Open, out var from) && TryParseClose(open.Close, out var to, out var midnight) && (midnight || to != from))
            {
                _week[(int)day] = (from, to, midnight || to < from);
            }
        }

        _holidays = [.. holidays.Select(h => h.Date)];
    }

    public TimeZoneInfo Zone => _zone;

    /// <summary>Whether the business is open at <paramref name="instant"/> (by the hours of its local day, or the night before's).</summary>
    public bool IsOpen(DateTimeOffset instant)
    {
        var date = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, _zone).DateTime);
        return Covers(Interval(date), instant) || Covers(Interval(date.AddDays(-1)), instant);
    }

    /// <summary>The instant when <paramref name="minutes"/> minutes of open hours have passed since <paramref name="start"/>.</summary>
    public DateTimeOffset AddBusinessMinutes(DateTimeOffset start, int minutes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minutes);
        var remaining = TimeSpan.FromMinutes(minutes);
        var cursor = start.ToUniversalTime();
        // From the day before: its hours may run past midnight into the start's day.
        var date = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(start, _zone).DateTime).AddDays(-1);
        for (var searched = 0; searched < MaxDaysSearched; searched++, date = date.AddDays(1))
        {
            if (Interval(date) is not { } open || open.End <= cursor)
            {
                continue;
            }

            if (cursor < open.Start)
            {
                cursor = open.Start;
            }

            var available = open.End - cursor;
            if (remaining <= available)
            {
                return cursor + remaining;
            }

            remaining -= available;
            cursor = open.End;
        }

        throw new InvalidOperationException("The business calendar has no open hours.");
    }

    private static bool Covers((DateTimeOffset Start, DateTimeOffset End)? open, DateTimeOffset instant) =>
        open is { } hours && instant >= hours.Start && instant < hours.End;

    private (DateTimeOffset Start, DateTimeOffset End)? Interval(DateOnly date)
    {
        if (_holidays.Contains(date) || _week[(int)date.DayOfWeek] is not { } hours)
        {
            return null;
        }

        return (ToInstant(_zone, date, hours.Open), ToInstant(_zone, hours.NextDay ? date.AddDays(1) : date, hours.Close));
    }

    /// <summary>The instant of a local date and time in <paramref name="zone"/>, with the gap and fall-back rules above.</summary>
    public static DateTimeOffset ToInstant(TimeZoneInfo zone, DateOnly date, TimeOnly time)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        // An invalid (skipped) local time gets the offset in force before the gap, which lands it just after the gap.
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local.Ticks - offset.Ticks, TimeSpan.Zero);
    }

    internal static bool TryParse(string? text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out time);

    /// <summary>A closing time: <c>HH:mm</c>, or <c>24:00</c> (<paramref name="midnight"/>: the end of the day, <paramref name="time"/> 00:00).</summary>
    internal static bool TryParseClose(string? text, out TimeOnly time, out bool midnight)
    {
        midnight = text == "24:00";
        if (midnight)
        {
            time = TimeOnly.MinValue;
            return true;
        }

        return TryParse(text, out time);
    }
}
