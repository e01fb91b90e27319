using System.Globalization;

namespace StreamFlow.Core.Backups;

/// <summary>A backup as retention sees it: an id and when it was taken.</summary>
public readonly record struct BackupPoint(string BackupId, DateTimeOffset TakenAt);

/// <summary>
/// Grandfather-father-son retention, counted in UTC. Each rule walks the backups from newest to oldest and keeps the
/// newest backup of each of its last N periods that have a backup: "7 daily" keeps the newest backup of each of the 7
/// most recent days with backups, "4 weekly" of the 4 most recent ISO weeks, "12 monthly" of the 12 most recent months.
/// A backup kept by any rule is kept. Counting periods that have backups (not calendar periods) means a run of failed
/// nights never lets retention delete the last good backups.
/// </summary>
public static class BackupRetentionPolicy
{
    /// <summary>The ids of the backups to keep; every other backup has expired.</summary>
    public static IReadOnlySet<string> SelectKept(IEnumerable<BackupPoint> backups, BackupRetentionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var newestFirst = backups
            .OrderByDescending(b => b.TakenAt.UtcTicks)
            .ThenByDescending(b => b.BackupId, StringComparer.Ordinal)
            .ToList();
        var kept = new HashSet<string>(StringComparer.Ordinal);
        KeepNewestPerPeriod(newestFirst, options.Daily, DayOf, kept);
        KeepNewestPerPeriod(newestFirst, options.Weekly, IsoWeekOf, kept);
        KeepNewestPerPeriod(newestFirst, options.Monthly, MonthOf, kept);
        return kept;
    }

    internal static long DayOf(DateTimeOffset at) => at.UtcDateTime.Date.Ticks;

    internal static long IsoWeekOf(DateTimeOffset at) =>
        (ISOWeek.GetYear(at.UtcDateTime) * 100L) + ISOWeek.GetWeekOfYear(at.UtcDateTime);

    internal static long MonthOf(DateTimeOffset at) => (at.UtcDateTime.Year * 100L) + at.UtcDateTime.Month;

    private static void KeepNewestPerPeriod(List<BackupPoint> newestFirst, int periods, Func<DateTimeOffset, long> periodOf, HashSet<string> kept)
    {
        long? current = null;
        var counted = 0;
        foreach (var backup in newestFirst)
        {
            if (counted >= periods)
            {
                return;
            }

            var period = periodOf(backup.TakenAt);
            if (period != current)
            {
                current = period;
                counted++;
                kept.Add(backup.BackupId);
            }
        }
    }
}
