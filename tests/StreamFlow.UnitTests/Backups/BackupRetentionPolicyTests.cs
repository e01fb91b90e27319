using System.Globalization;
using CsCheck;
using StreamFlow.Core.Backups;

namespace StreamFlow.UnitTests.Backups;

public sealed class BackupRetentionPolicyTests
{
    private static readonly BackupRetentionOptions Default = new();

    // Histories of up to 120 backups at random times over about three years.
    private static readonly Gen<BackupPoint[]> Histories =
        Gen.Long[0, TimeSpan.FromDays(1100).Ticks].Array[0, 120].Select(offsets => offsets
            .Select((offset, index) => Point(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(offset), index))
            .ToArray());

    private static readonly Gen<BackupRetentionOptions> Policies =
        Gen.Select(Gen.Int[0, 10], Gen.Int[0, 6], Gen.Int[0, 14], (d, w, m) => new BackupRetentionOptions { Daily = d, Weekly = w, Monthly = m });

    [Fact]
    public void Nightly_backups_for_a_year_keep_7_daily_4_weekly_and_12_monthly()
    {
        var nights = Enumerable.Range(0, 400).Select(i => Point(At("2026-11-26T02:30:00Z").AddDays(-i), i)).ToList();

        var kept = Dates(BackupRetentionPolicy.SelectKept(nights, Default), nights);

        string[] expected =
        [
            // The last 7 days.
            "2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26",
            // The newest of the last 4 ISO weeks (Monday to Sunday): 26 Nov and 22 Nov are kept as dailies already.
            "2026-11-08", "2026-11-15",
            // The newest of the last 12 months: November's is 26 Nov.
            "2025-12-31", "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31",
            "2026-06-30", "2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), kept);
    }

    [Fact]
    public void Several_backups_a_day_keep_only_the_newest_of_each_day()
    {
        var backups = new[]
        {
            Point(At("2026-11-26T02:30:00Z"), 1),
            Point(At("2026-11-26T14:00:00Z"), 2),
            Point(At("2026-11-25T02:30:00Z"), 3),
            Point(At("2026-11-25T23:59:59Z"), 4),
        };

        var kept = BackupRetentionPolicy.SelectKept(backups, new BackupRetentionOptions { Daily = 7, Weekly = 0, Monthly = 0 });

        Assert.Equal(["b2", "b4"], kept.Order());
    }

    [Fact]
    public void Days_are_counted_in_utc_whatever_the_offset_of_the_timestamp()
    {
        var backups = new[]
        {
            Point(DateTimeOffset.Parse("2026-11-26T01:00:00+02:00", CultureInfo.InvariantCulture), 1),
            Point(At("2026-11-25T22:00:00Z"), 2),
        };

        var kept = BackupRetentionPolicy.SelectKept(backups, new BackupRetentionOptions { Daily = 2, Weekly = 0, Monthly = 0 });

        Assert.Equal(["b1"], kept);
    }

    [Fact]
    public void Gaps_in_the_history_do_not_shrink_what_is_kept()
    {
        var everyTenDays = Enumerable.Range(0, 30).Select(i => Point(At("2026-11-26T02:30:00Z").AddDays(-10 * i), i)).ToList();

        var kept = BackupRetentionPolicy.SelectKept(everyTenDays, new BackupRetentionOptions { Daily = 7, Weekly = 0, Monthly = 0 });

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"b{i}").Order(), kept.Order());
    }

    [Fact]
    public void A_policy_of_zeros_keeps_nothing()
    {
        var backups = new[] { Point(At("2026-11-26T02:30:00Z"), 1) };

        Assert.Empty(BackupRetentionPolicy.SelectKept(backups, new BackupRetentionOptions { Daily = 0, Weekly = 0, Monthly = 0 }));
    }

    [Fact]
    public void No_backups_keep_nothing()
    {
        Assert.Empty(BackupRetentionPolicy.SelectKept([], Default));
    }

    [Fact]
    public void The_newest_backup_is_always_kept_when_dailies_are_kept() =>
        Histories.Sample(history => history.Length == 0
            || BackupRetentionPolicy.SelectKept(history, Default).Contains(NewestFirst(history)[0].BackupId));

    [Fact]
    public void Every_kept_backup_is_the_newest_of_its_day() =>
        Gen.Select(Histories, Policies).Sample((history, policy) =>
            BackupRetentionPolicy.SelectKept(history, policy).All(id =>
            {
                var day = history.Single(b => b.BackupId == id).TakenAt.UtcDateTime.Date;
                return NewestFirst(history).First(b => b.TakenAt.UtcDateTime.Date == day).BackupId == id;
            }));

    [Fact]
    public void Retention_keeps_exactly_the_newest_backup_of_each_rules_most_recent_periods() =>
        Gen.Select(Histories, Policies).Sample((history, policy) =>
        {
            var wanted = new HashSet<string>();
            wanted.UnionWith(NewestOfRecentPeriods(history, policy.Daily, b => b.TakenAt.UtcDateTime.Date.Ticks));
            wanted.UnionWith(NewestOfRecentPeriods(history, policy.Weekly, b => (ISOWeek.GetYear(b.TakenAt.UtcDateTime) * 100L) + ISOWeek.GetWeekOfYear(b.TakenAt.UtcDateTime)));
            wanted.UnionWith(NewestOfRecentPeriods(history, policy.Monthly, b => (b.TakenAt.UtcDateTime.Year * 100L) + b.TakenAt.UtcDateTime.Month));
            return BackupRetentionPolicy.SelectKept(history, policy).SetEquals(wanted);
        });

    [Fact]
    public void Applying_the_policy_again_deletes_nothing_more() =>
        Gen.Select(Histories, Policies).Sample((history, policy) =>
        {
            var kept = BackupRetentionPolicy.SelectKept(history, policy);
            var survivors = history.Where(b => kept.Contains(b.BackupId)).ToList();
            return BackupRetentionPolicy.SelectKept(survivors, policy).SetEquals(kept);
        });

    [Fact]
    public void A_longer_policy_keeps_everything_a_shorter_one_keeps() =>
        Gen.Select(Histories, Policies, Gen.Int[0, 3]).Sample((history, policy, extra) =>
        {
            var longer = new BackupRetentionOptions { Daily = policy.Daily + extra, Weekly = policy.Weekly + extra, Monthly = policy.Monthly + extra };
            return BackupRetentionPolicy.SelectKept(history, policy).IsSubsetOf(BackupRetentionPolicy.SelectKept(history, longer));
        });

    // The expected set, computed from the periods themselves rather than by walking the list as the policy does.
    private static HashSet<string> NewestOfRecentPeriods(IEnumerable<BackupPoint> history, int periods, Func<BackupPoint, long> periodOf) =>
        history.GroupBy(periodOf)
            .OrderByDescending(g => g.Key)
            .Take(periods)
            .Select(g => NewestFirst(g)[0].BackupId)
            .ToHashSet();

    private static List<BackupPoint> NewestFirst(IEnumerable<BackupPoint> history) =>
        history.OrderByDescending(b => b.TakenAt.UtcTicks).ThenByDescending(b => b.BackupId, StringComparer.Ordinal).ToList();

    private static BackupPoint Point(DateTimeOffset at, int index) => new($"b{index}", at);

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    private static string[] Dates(IReadOnlySet<string> kept, IEnumerable<BackupPoint> history) =>
        history.Where(b => kept.Contains(b.BackupId))
            .Select(b => b.TakenAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
            .Order(StringComparer.Ordinal)
            .ToArray();
}
