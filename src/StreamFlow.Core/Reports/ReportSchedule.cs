using System.Globalization;

namespace StreamFlow.Core.Reports;

/// <summary>When a tenant's reports become due: a local time (and, for weeks, a weekday) in the tenant's time zone.</summary>
internal sealed record ReportSchedule(TimeZoneInfo Zone, TimeOnly SendAt, DayOfWeek WeeklyOn)
{
    public static ReportSchedule For(ReportContext context, ReportsOptions options) => new(
        ReportPeriod.ZoneOrUtc(context.TimeZone),
        TimeOnly.TryParseExact(context.SendAt, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var sendAt) ? sendAt : options.SendAt,
        Enum.TryParse<DayOfWeek>(context.WeeklyOn, ignoreCase: true, out var weekday) && Enum.IsDefined(weekday) && !int.TryParse(context.WeeklyOn, out _) ? weekday : options.WeeklyOn);

    /// <summary>The instant a period's report becomes due: the send time on the first day after it (weekly: on the chosen weekday).</summary>
    public DateTimeOffset DueAt(ReportPeriod period)
    {
        var day = period.Kind == ReportPeriodKind.Week ? period.End.AddDays(((int)WeeklyOn + 6) % 7) : period.End;
        return ReportPeriod.AtLocalTime(day, SendAt, Zone);
    }

    /// <summary>
    /// The most recent period whose report is due at <paramref name="now"/>: the last complete one once its send time
    /// has passed, else the one before (so a run that failed or was missed is caught up, never more than one back).
    /// </summary>
    public ReportPeriod DuePeriod(ReportPeriodKind kind, DateTimeOffset now)
    {
        var last = ReportPeriod.LastComplete(kind, now, Zone);
        return now >= DueAt(last) ? last : last.Previous();
    }
}
