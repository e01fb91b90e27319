using StreamFlow.Core.Backups;

namespace StreamFlow.UnitTests.Backups;

public sealed class BackupVerificationCompareTests
{
    private static readonly BackupTableManifest Tenants = new("tenants", 2, 100, new string('a', 64));
    private static readonly BackupTableManifest Settings = new("tenant_settings", 2, 120, new string('b', 64));
    private static readonly BackupSequenceState Heartbeats = new("platform_heartbeats_id_seq", 42, true);

    [Fact]
    public void A_restored_copy_that_matches_the_manifest_has_no_problems()
    {
        Assert.Empty(BackupVerificationService.Compare(Manifest(), Restored([Tenants, Settings])));
    }

    [Fact]
    public void A_missing_row_is_reported_with_both_counts()
    {
        var problems = BackupVerificationService.Compare(Manifest(), Restored([Tenants, Settings with { RowCount = 1 }]));

        Assert.Equal(["Table tenant_settings has 1 rows restored; the manifest says 2."], problems);
    }

    [Fact]
    public void Different_data_with_the_same_row_count_is_reported_as_a_checksum_mismatch()
    {
        var problems = BackupVerificationService.Compare(Manifest(), Restored([Tenants with { Sha256 = new string('c', 64) }, Settings]));

        Assert.Equal(["Table tenants has the right row count but a different checksum (cccccccccccc… instead of aaaaaaaaaaaa…)."], problems);
    }

    [Fact]
    public void Missing_and_unexpected_tables_and_sequences_are_each_reported()
    {
        var problems = BackupVerificationService.Compare(
            Manifest(), Restored([Tenants, new BackupTableManifest("intruder", 0, 19, new string('d', 64))], sequences: []));

        Assert.Equal(
            [
                "Table tenant_settings is missing from the restored database.",
                "Table intruder is in the restored database but not in the manifest.",
                "Sequence platform_heartbeats_id_seq was not restored to 42.",
            ],
            problems);
    }

    private static BackupManifest Manifest() => new(
        1, "20261126T023000Z-3f2a9c1e", "default", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "streamflow", "15", "0050_backups.sql",
        ["0001_platform_and_tenancy.sql", "0050_backups.sql"], "binary", "deflate", 1024 * 1024, "x/data.sfbk", 0, "", 0, "",
        [Tenants, Settings], [Heartbeats]);

    private static SnapshotResult Restored(IReadOnlyList<BackupTableManifest> tables, IReadOnlyList<BackupSequenceState>? sequences = null) => new(
        new BackupContainerHeader("20261126T023000Z-3f2a9c1e", DateTimeOffset.UnixEpoch, "scratch", "15", "0050_backups.sql",
            ["0001_platform_and_tenancy.sql", "0050_backups.sql"], "binary"),
        tables,
        sequences ?? [Heartbeats]);
}
