using Azure.Storage.Blobs;
using Dapper;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Backups;
using StreamFlow.Core.Database;
using StreamFlow.Core.Outbox;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Backups;
using StreamFlow.Orchestrations.Outbox;

namespace StreamFlow.IntegrationTests.Backups;

[Collection(ServicesCollection.Name)]
public sealed class BackupOrchestrationTests(TestServices services) : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    private readonly BackupTestServices _backups = new(services);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _backups.DisposeAsync().AsTask();

    [Fact]
    public async Task Backup_orchestration_takes_records_applies_retention_and_verifies()
    {
        await using var host = await StartHostAsync();

        var instanceId = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.DatabaseBackup, new BackupOrchestrationInput("dev@example.test"));
        var metadata = await WaitAsync(host, instanceId);
        var result = metadata.ReadOutputAs<BackupOrchestrationResult>()!;
        var run = await services.Get<StreamFlowDatabase>().InPlatformAsync(scope => scope.Connection.QuerySingleAsync<(string Status, string RequestedBy, long RowCount)>(
            scope.Command("SELECT status, requested_by, row_count FROM backup_runs WHERE backup_id = @id", new { id = result.BackupId })), CancellationToken.None);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.NotNull(await _backups.Get<BackupStorage>().GetAsync(result.BackupId, CancellationToken.None));
        Assert.Equal(("succeeded", "dev@example.test", result.Backup.Rows), run);
        Assert.Equal([result.BackupId], result.Retention!.Kept);
        Assert.True(result.Verification!.Succeeded);
        Assert.Empty(_backups.Alerts.Alerts);
    }

    [Fact]
    public async Task A_backup_that_fails_verification_fails_the_orchestration_and_alerts_developers()
    {
        // Storage corrupts the data blob between the upload and the verification.
        await using var host = await StartHostAsync(corruptAfterUpload: true);

        var instanceId = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.DatabaseBackup, new BackupOrchestrationInput("nightly"));
        var metadata = await WaitAsync(host, instanceId);
        var alert = Assert.Single(_backups.Alerts.Alerts);
        var verification = (await _backups.Get<BackupHistoryStore>().LatestVerificationsAsync(20, CancellationToken.None))
            .First(v => v.BackupId == alert.BackupId);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, metadata.RuntimeStatus);
        Assert.Equal(BackupAlertKind.VerificationFailed, alert.Kind);
        Assert.Contains("failed authentication", Assert.Single(alert.Details), StringComparison.Ordinal);
        Assert.False(verification.Succeeded);
    }

    [Fact]
    public async Task The_nightly_backup_starts_once_a_day()
    {
        await using var host = await StartHostAsync();
        var launcher = _backups.Get<BackupLauncher>();
        var night = new DateTimeOffset(2026, 11, 26, 2, 30, 0, TimeSpan.Zero);

        var first = await launcher.StartNightlyBackupAsync(host.Client, night, CancellationToken.None);
        var second = await launcher.StartNightlyBackupAsync(host.Client, night.AddHours(3), CancellationToken.None);
        await WaitAsync(host, first.InstanceId);

        Assert.Equal(new NightlyBackupStart("backup-nightly-20261126", Started: true), first);
        Assert.Equal(new NightlyBackupStart("backup-nightly-20261126", Started: false), second);
    }

    [Fact]
    public async Task Restore_orchestration_restores_into_the_named_database_and_reports_progress()
    {
        var manifest = await _backups.Get<DatabaseBackupService>().TakeAsync(BackupId.Create(DateTimeOffset.UtcNow, Guid.NewGuid()), CancellationToken.None);
        var target = $"streamflow_restore_{Guid.NewGuid():N}"[..40];
        await using var host = await StartHostAsync();

        // Progress every 50 ms: the orchestration polls while the restore activity runs.
        var instanceId = await host.Client.ScheduleNewOrchestrationInstanceAsync(
            TaskNames.DatabaseRestore, new RestoreOrchestrationInput(manifest.BackupId, target, "dev@example.test", ProgressIntervalSeconds: 0.05));
        try
        {
            var metadata = await WaitAsync(host, instanceId);
            var progress = metadata.ReadCustomStatusAs<RestoreProgress>()!;
            var summary = metadata.ReadOutputAs<RestoreSummary>()!;

            Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
            Assert.Equal(("completed", manifest.Tables.Count, manifest.Tables.Count), (progress.Status, progress.TablesDone, progress.TablesTotal));
            Assert.Equal(manifest.TotalRows, progress.RowsRestored);
            Assert.Equal(manifest.TotalRows, summary.Rows);
            Assert.True(await _backups.Get<DatabaseRestoreService>().DatabaseExistsAsync(target, CancellationToken.None));
        }
        finally
        {
            await _backups.Get<DatabaseRestoreService>().DropAsync(target, instanceId, CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_backup_taken_by_hand_is_committed_without_the_durable_backend_and_runs_once_a_dispatcher_can_start_it()
    {
        var hub = $"BackupByHand{Guid.NewGuid():N}"[..24];
        var launcher = Launcher(hub);

        // The request's part: no durable client at all, only the operation row.
        var instanceId = await launcher.StartBackupAsync("developer:dev@example.test", CancellationToken.None);
        var committed = await Operations(hub).FindAsync(instanceId, CancellationToken.None);
        // The durable backend is down: the dispatcher cannot start it, the row waits (its claim runs out after 1 s).
        var startedWhileDown = await Dispatcher(hub).DispatchPendingAsync(new UnreachableBackend(), CancellationToken.None);
        var stillWaiting = await Operations(hub).FindAsync(instanceId, CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        await using var host = await StartHostAsync();
        var startedWhenBack = await Dispatcher(hub).DispatchPendingAsync(new DurableWorkStarter(host.Client, NullLogger.Instance), CancellationToken.None);
        var metadata = await WaitAsync(host, instanceId);
        var result = metadata.ReadOutputAs<BackupOrchestrationResult>()!;
        var requestedBy = await services.Get<StreamFlowDatabase>().InPlatformAsync(scope => scope.Connection.QuerySingleAsync<string>(
            scope.Command("SELECT requested_by FROM backup_runs WHERE backup_id = @id", new { id = result.BackupId })), CancellationToken.None);

        Assert.StartsWith("backup-", instanceId, StringComparison.Ordinal);
        Assert.Equal((PlatformWorkKinds.Backup, (DateTimeOffset?)null), (committed!.Kind, committed.StartedAt));
        Assert.Equal(0, startedWhileDown);
        Assert.Null(stillWaiting!.StartedAt);
        Assert.Equal(1, startedWhenBack);
        Assert.NotNull((await Operations(hub).FindAsync(instanceId, CancellationToken.None))!.StartedAt);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.Equal("developer:dev@example.test", requestedBy);
        Assert.Equal(0, await Dispatcher(hub).DispatchPendingAsync(new DurableWorkStarter(host.Client, NullLogger.Instance), CancellationToken.None));
    }

    [Fact]
    public async Task A_confirmed_restore_is_committed_without_the_durable_backend_and_started_as_an_orchestration_by_the_dispatcher()
    {
        var manifest = await _backups.Get<DatabaseBackupService>().TakeAsync(BackupId.Create(DateTimeOffset.UtcNow, Guid.NewGuid()), CancellationToken.None);
        var target = $"streamflow_restore_{Guid.NewGuid():N}"[..40];
        var hub = $"RestoreByHand{Guid.NewGuid():N}"[..24];

        var started = await Launcher(hub).StartRestoreAsync(new RestoreCommand(manifest.BackupId, target, target), "dev@example.test", CancellationToken.None);
        try
        {
            var startedWhileDown = await Dispatcher(hub).DispatchPendingAsync(new UnreachableBackend(), CancellationToken.None);
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            await using var host = await StartHostAsync();
            var startedWhenBack = await Dispatcher(hub).DispatchPendingAsync(new DurableWorkStarter(host.Client, NullLogger.Instance), CancellationToken.None);
            var metadata = await WaitAsync(host, started.Value!);
            var restore = await _backups.Get<BackupHistoryStore>().GetRestoreAsync(started.Value!, CancellationToken.None);

            Assert.StartsWith("restore-", started.Value!, StringComparison.Ordinal);
            Assert.Equal((0, 1), (startedWhileDown, startedWhenBack));
            Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
            Assert.Equal((manifest.BackupId, target, "completed"), (restore!.BackupId, restore.TargetDatabase, restore.Status));
        }
        finally
        {
            await _backups.Get<DatabaseRestoreService>().DropAsync(target, started.Value!, CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_restore_without_the_confirmation_is_not_started()
    {
        var manifest = await _backups.Get<DatabaseBackupService>().TakeAsync(BackupId.Create(DateTimeOffset.UtcNow, Guid.NewGuid()), CancellationToken.None);
        await using var host = await StartHostAsync();

        var hub = $"RestoreRefused{Guid.NewGuid():N}"[..24];

        var started = await Launcher(hub).StartRestoreAsync(new RestoreCommand(manifest.BackupId, "streamflow_copy", "yes"), "dev@example.test", CancellationToken.None);

        Assert.False(started.Succeeded);
        Assert.Equal(["confirmation"], started.Problem.Errors!.Keys);
        Assert.Equal(0, await Dispatcher(hub).DispatchPendingAsync(new DurableWorkStarter(host.Client, NullLogger.Instance), CancellationToken.None));
    }

    // Each test's operations belong to a task hub of its own, so no other test's dispatcher takes them (and this one no other's).
    private PlatformOperations Operations(string hub) =>
        new(services.Get<StreamFlowDatabase>(), Options.Create(new WorkOutboxOptions { TaskHub = hub }));

    private BackupLauncher Launcher(string hub) => new(_backups.Get<BackupRestoreValidator>(), Operations(hub));

    private WorkOutboxDispatcher Dispatcher(string hub) =>
        new(services.Get<StreamFlowDatabase>(), Options.Create(new WorkOutboxOptions { TaskHub = hub, ClaimLease = TimeSpan.FromSeconds(1) }),
            NullLogger<WorkOutboxDispatcher>.Instance);

    /// <summary>A starter whose durable backend does not answer: nothing starts (as DurableWorkStarter answers then).</summary>
    private sealed class UnreachableBackend : IWorkStarter
    {
        public Task<IReadOnlyList<long>> StartAsync(IReadOnlyList<WorkItem> items, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<long>>([]);
    }

    private Task<DurableTaskTestHost> StartHostAsync(bool corruptAfterUpload = false) =>
        DurableTestHosts.StartAsync(
            registry =>
            {
                registry.AddOrchestrator(TaskNames.DatabaseBackup, () => new BackupOrchestrator());
                registry.AddOrchestrator(TaskNames.DatabaseRestore, () => new RestoreOrchestrator());
                registry.AddActivity(TaskNames.TakeBackup, provider => corruptAfterUpload
                    ? new CorruptingTakeBackupActivity(provider.GetRequiredService<TakeBackupActivity>(), provider.GetRequiredService<BlobServiceClient>(), _backups.Container)
                    : provider.GetRequiredService<TakeBackupActivity>());
                registry.AddActivity(TaskNames.RecordBackupRun, provider => provider.GetRequiredService<RecordBackupRunActivity>());
                registry.AddActivity(TaskNames.ApplyBackupRetention, provider => provider.GetRequiredService<ApplyBackupRetentionActivity>());
                registry.AddActivity(TaskNames.VerifyBackup, provider => provider.GetRequiredService<VerifyBackupActivity>());
                registry.AddActivity(TaskNames.SendBackupAlert, provider => provider.GetRequiredService<SendBackupAlertActivity>());
                registry.AddActivity(TaskNames.RestoreBackup, provider => provider.GetRequiredService<RestoreBackupActivity>());
                registry.AddActivity(TaskNames.ReadRestoreProgress, provider => provider.GetRequiredService<ReadRestoreProgressActivity>());
            },
            new DurableTaskTestHostOptions { ConfigureServices = collection => _backups.Register(collection) });

    private static async Task<OrchestrationMetadata> WaitAsync(DurableTaskTestHost host, string instanceId)
    {
        using var timeout = new CancellationTokenSource(Limit);
        return await host.Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
    }

    /// <summary>The real activity, then a flipped byte in the uploaded blob: damage at rest that only a restore can find.</summary>
    private sealed class CorruptingTakeBackupActivity(TakeBackupActivity inner, BlobServiceClient blobs, string container)
        : TaskActivity<TakeBackupInput, BackupSummary>
    {
        public override async Task<BackupSummary> RunAsync(TaskActivityContext context, TakeBackupInput input)
        {
            var summary = await inner.RunAsync(context, input);
            var blob = blobs.GetBlobContainerClient(container).GetBlobClient(BackupStorage.DataName(input.BackupId));
            var bytes = (await blob.DownloadContentAsync()).Value.Content.ToArray();
            bytes[bytes.Length / 2] ^= 0x01;
            await blob.UploadAsync(BinaryData.FromBytes(bytes), overwrite: true);
            return summary;
        }
    }
}
