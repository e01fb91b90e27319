using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StreamFlow.Core.Backups;

namespace StreamFlow.IntegrationTests.Backups;

[Collection(ServicesCollection.Name)]
public sealed class BackupRetentionServiceTests(TestServices services) : IAsyncLifetime
{
    private static readonly DateTimeOffset Tonight = new(2026, 11, 26, 2, 30, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private BackupTestServices _backups = null!;

    public Task InitializeAsync()
    {
        _backups = new BackupTestServices(
            services,
            new Dictionary<string, string?> { ["Backups:Retention:Daily"] = "3", ["Backups:Retention:Weekly"] = "0", ["Backups:Retention:Monthly"] = "0" },
            configure: collection => collection.AddSingleton<TimeProvider>(_time));
        return _backups.Get<BackupStorage>().EnsureContainerAsync(CancellationToken.None);
    }

    public Task DisposeAsync() => _backups.DisposeAsync().AsTask();

    [Fact]
    public async Task Retention_deletes_the_backups_the_policy_lets_expire_with_their_data()
    {
        var nights = Enumerable.Range(0, 10).Select(i => BackupId.Create(Tonight.AddDays(-i), Guid.NewGuid())).ToList();
        foreach (var id in nights)
        {
            await StoreBackupAsync(id);
        }

        var outcome = await _backups.Get<BackupRetentionService>().ApplyAsync(nights[0], CancellationToken.None);
        var remaining = (await _backups.Get<BackupStorage>().ListAsync(CancellationToken.None)).Select(m => m.BackupId);

        Assert.Equal(nights[..3], remaining);
        Assert.Equal(nights[3..].Order(), outcome.Deleted.Order());
        Assert.All(nights[3..], id => Assert.False(Blob(BackupStorage.DataName(id)).Exists().Value));
    }

    [Fact]
    public async Task Retention_deletes_an_upload_without_manifest_only_after_the_grace_period()
    {
        var abandoned = BackupId.Create(Tonight.AddDays(-30), Guid.NewGuid());
        await Blob(BackupStorage.DataName(abandoned)).UploadAsync(BinaryData.FromString("half an upload"));

        _time.Advance(TimeSpan.FromDays(1));
        var early = await _backups.Get<BackupRetentionService>().ApplyAsync(null, CancellationToken.None);
        _time.Advance(TimeSpan.FromDays(2));
        var late = await _backups.Get<BackupRetentionService>().ApplyAsync(null, CancellationToken.None);

        Assert.Empty(early.AbandonedUploadsDeleted);
        Assert.Equal([abandoned], late.AbandonedUploadsDeleted);
        Assert.False((await Blob(BackupStorage.DataName(abandoned)).ExistsAsync()).Value);
    }

    private BlobClient Blob(string name) =>
        _backups.Get<BlobServiceClient>().GetBlobContainerClient(_backups.Container).GetBlobClient(name);

    // Retention reads only manifests and deletes blobs: a manifest and a data blob stand in for a backup.
    private async Task StoreBackupAsync(string backupId)
    {
        await Blob(BackupStorage.DataName(backupId)).UploadAsync(BinaryData.FromString("encrypted data"));
        var takenAt = BackupId.TakenAt(backupId);
        await _backups.Get<BackupStorage>().WriteManifestAsync(new BackupManifest(
            BackupManifest.CurrentFormatVersion, backupId, "default", takenAt, takenAt.AddMinutes(1), "streamflow", "15", null, [],
            "binary", "deflate", 1024 * 1024, BackupStorage.DataName(backupId), 0, "", 0, "", [], []), CancellationToken.None);
    }
}
