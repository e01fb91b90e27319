using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Dapper;
using Npgsql;
using StreamFlow.Core.Backups;
using StreamFlow.Core.Database;

namespace StreamFlow.IntegrationTests.Backups;

[Collection(ServicesCollection.Name)]
public sealed class BackupRoundTripTests(TestServices services) : IAsyncLifetime
{
    private readonly BackupTestServices _backups = new(services);
    private readonly List<(string Database, string Tag)> _restored = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var (database, tag) in _restored)
        {
            await _backups.Get<DatabaseRestoreService>().DropAsync(database, tag, CancellationToken.None);
        }

        await _backups.DisposeAsync();
    }

    [Fact]
    public async Task A_round_trip_restores_identical_data()
    {
        await _backups.CreateTwoTenantsWithSettingsAsync();
        var manifest = await TakeBackupAsync();

        var target = await RestoreAsync(manifest.BackupId);
        var restored = await _backups.Get<DatabaseSnapshotter>().WriteAsync(
            new BackupContainerWriter(Stream.Null), manifest.BackupId, DateTimeOffset.UtcNow, target, CancellationToken.None);

        Assert.Equal(manifest.Tables, restored.Tables);
        Assert.Equal(manifest.Sequences, restored.Sequences);
        Assert.Equal(manifest.Migrations, restored.Header.Migrations);
        Assert.Contains(manifest.Tables, t => t.Name == "tenant_settings" && t.RowCount >= 2);
    }

    [Fact]
    public async Task A_round_trip_restores_each_tenants_rows_behind_row_level_security()
    {
        var (tenantA, tenantB) = await _backups.CreateTwoTenantsWithSettingsAsync();
        var manifest = await TakeBackupAsync();

        var target = await RestoreAsync(manifest.BackupId);
        await using var restoredPool = NpgsqlDataSource.Create(_backups.Get<BackupConnections>().AppConnectionString(target));
        var restoredDatabase = new StreamFlowDatabase(restoredPool);
        var seenByA = await ReadSettingsAsync(restoredDatabase, tenantA);
        var seenByB = await ReadSettingsAsync(restoredDatabase, tenantB);
        var seenWithoutTenant = await restoredDatabase.InPlatformAsync(
            scope => scope.Connection.ExecuteScalarAsync<long>(scope.Command("SELECT count(*) FROM tenant_settings")), CancellationToken.None);

        Assert.Equal([(tenantA, "Europe/Berlin", $$"""{"hours": [8, 17], "owner": "{{tenantA}}"}""")], seenByA);
        Assert.Equal([(tenantB, "America/Denver", $$"""{"hours": [8, 17], "owner": "{{tenantB}}"}""")], seenByB);
        Assert.Equal(0, seenWithoutTenant);
    }

    [Fact]
    public async Task A_restored_database_keeps_forced_row_level_security_foreign_keys_and_sequences()
    {
        await _backups.CreateTwoTenantsWithSettingsAsync();
        await _backups.Get<StreamFlowDatabase>().InPlatformAsync(scope => scope.Connection.ExecuteAsync(scope.Command(
            "INSERT INTO platform_heartbeats (checked_at, status, checks) VALUES (now(), 'ok', '{}')")), CancellationToken.None);
        var manifest = await TakeBackupAsync();

        var target = await RestoreAsync(manifest.BackupId);
        await using var owner = new NpgsqlConnection(_backups.Get<BackupConnections>().OwnerConnectionString(target));
        await owner.OpenAsync();
        var forced = await owner.ExecuteScalarAsync<bool>("SELECT relforcerowsecurity FROM pg_class WHERE relname = 'tenant_settings'");
        var foreignKey = await owner.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_constraint WHERE conrelid = 'tenant_settings'::regclass AND contype = 'f'");
        var nextId = await owner.ExecuteScalarAsync<long>("SELECT nextval(pg_get_serial_sequence('platform_heartbeats', 'id'))");
        var maxId = await owner.ExecuteScalarAsync<long>("SELECT max(id) FROM platform_heartbeats");

        Assert.True(forced);
        Assert.Equal(1, foreignKey);
        Assert.True(nextId > maxId);
    }

    [Fact]
    public async Task A_backup_is_encrypted_at_rest()
    {
        var (tenantA, _) = await _backups.CreateTwoTenantsWithSettingsAsync();
        var manifest = await TakeBackupAsync();

        var blob = (await Data(manifest.BackupId).DownloadContentAsync()).Value.Content.ToArray();

        Assert.Equal(manifest.CiphertextBytes, blob.Length);
        Assert.Equal(manifest.CiphertextSha256, Convert.ToHexStringLower(SHA256.HashData(blob)));
        Assert.Equal(-1, blob.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes("Europe/Berlin")));
        Assert.Equal(-1, blob.AsSpan().IndexOf(tenantA.ToByteArray(bigEndian: true)));
    }

    [Fact]
    public async Task Verifying_a_good_backup_succeeds_and_records_the_measured_restore_time()
    {
        await _backups.CreateTwoTenantsWithSettingsAsync();
        var manifest = await TakeBackupAsync();
        var verificationId = Guid.NewGuid();

        var result = await _backups.Get<BackupVerificationService>().VerifyAsync(verificationId, manifest.BackupId, CancellationToken.None);
        var recorded = await _backups.Get<BackupHistoryStore>().LatestVerificationsAsync(50, CancellationToken.None);

        Assert.True(result.Succeeded, string.Join(" | ", result.Problems));
        Assert.Equal(manifest.Tables.Count, result.TablesChecked);
        Assert.Equal(manifest.TotalRows, result.RowsChecked);
        Assert.True(result.RestoreMilliseconds > 0);
        Assert.Contains(recorded, r => r.VerificationId == verificationId && r.Succeeded && r.RestoreMilliseconds == result.RestoreMilliseconds);
        Assert.False(await _backups.Get<DatabaseRestoreService>().DatabaseExistsAsync(
            BackupVerificationService.ScratchDatabasePrefix + verificationId.ToString("N"), CancellationToken.None));
    }

    [Fact]
    public async Task Verifying_a_backup_modified_at_rest_fails_with_the_reason()
    {
        var manifest = await TakeBackupAsync();
        var blob = (await Data(manifest.BackupId).DownloadContentAsync()).Value.Content.ToArray();
        blob[blob.Length / 2] ^= 0x40;
        await Data(manifest.BackupId).UploadAsync(BinaryData.FromBytes(blob), overwrite: true);
        var verificationId = Guid.NewGuid();

        var result = await _backups.Get<BackupVerificationService>().VerifyAsync(verificationId, manifest.BackupId, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("failed authentication", Assert.Single(result.Problems), StringComparison.Ordinal);
        Assert.False(await _backups.Get<DatabaseRestoreService>().DatabaseExistsAsync(
            BackupVerificationService.ScratchDatabasePrefix + verificationId.ToString("N"), CancellationToken.None));
    }

    [Fact]
    public async Task Restoring_with_a_different_key_is_refused_as_the_wrong_key()
    {
        var manifest = await TakeBackupAsync();
        await using var otherKey = new BackupTestServices(
            services, new Dictionary<string, string?> { ["Backups:EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }, _backups.Container);
        var target = $"streamflow_rt_{Guid.NewGuid():N}";

        var error = await Assert.ThrowsAsync<BackupIntegrityException>(() => otherKey.Get<DatabaseRestoreService>().RestoreAsync(
            new RestoreRequest(manifest.BackupId, target, "wrong-key", ApplyNewerMigrations: false), null, CancellationToken.None));

        Assert.StartsWith("Wrong key", error.Message, StringComparison.Ordinal);
        Assert.False(await _backups.Get<DatabaseRestoreService>().DatabaseExistsAsync(target, CancellationToken.None));
    }

    [Fact]
    public async Task Restore_never_replaces_an_existing_database()
    {
        var manifest = await TakeBackupAsync();
        var target = await RestoreAsync(manifest.BackupId);

        var error = await Assert.ThrowsAsync<BackupRestoreException>(() => _backups.Get<DatabaseRestoreService>().RestoreAsync(
            new RestoreRequest(manifest.BackupId, target, "another-restore", ApplyNewerMigrations: false), null, CancellationToken.None));

        Assert.Equal($"Database {target} already exists. A restore only creates new databases.", error.Message);
    }

    [Fact]
    public async Task A_backup_from_a_newer_schema_is_refused_before_anything_is_created()
    {
        var manifest = await TakeBackupAsync();
        var future = manifest with { BackupId = BackupId.Create(DateTimeOffset.UtcNow, Guid.NewGuid()), Migrations = [.. manifest.Migrations, "9999_from_the_future.sql"], SchemaVersion = "9999_from_the_future.sql" };
        await _backups.Get<BackupStorage>().WriteManifestAsync(future, CancellationToken.None);
        var target = $"streamflow_rt_{Guid.NewGuid():N}";

        var error = await Assert.ThrowsAsync<BackupRestoreException>(() => _backups.Get<DatabaseRestoreService>().RestoreAsync(
            new RestoreRequest(future.BackupId, target, "future", ApplyNewerMigrations: false), null, CancellationToken.None));

        Assert.Contains("9999_from_the_future.sql, which this build does not know", error.Message, StringComparison.Ordinal);
        Assert.False(await _backups.Get<DatabaseRestoreService>().DatabaseExistsAsync(target, CancellationToken.None));
    }

    [Fact]
    public async Task The_application_role_records_backup_history_but_cannot_rewrite_it()
    {
        var backupId = BackupId.Create(DateTimeOffset.UtcNow, Guid.NewGuid());
        await _backups.Get<BackupHistoryStore>().RecordRunAsync(new BackupRunRecord(
            backupId, "dev@example.test", false, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null, null, null, null, null, null, "test"), CancellationToken.None);

        var database = _backups.Get<StreamFlowDatabase>();
        var update = await Assert.ThrowsAsync<PostgresException>(() => database.InPlatformAsync(scope => scope.Connection.ExecuteAsync(scope.Command(
            "UPDATE backup_runs SET status = 'succeeded' WHERE backup_id = @backupId", new { backupId })), CancellationToken.None));
        var delete = await Assert.ThrowsAsync<PostgresException>(() => database.InPlatformAsync(scope => scope.Connection.ExecuteAsync(scope.Command(
            "DELETE FROM backup_verifications")), CancellationToken.None));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, update.SqlState);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, delete.SqlState);
    }

    [Fact]
    public async Task The_backup_role_reads_every_tenant_and_can_change_nothing()
    {
        await _backups.CreateTwoTenantsWithSettingsAsync();
        await using var backup = await _backups.Get<BackupConnections>().OpenBackupRoleAsync(null, CancellationToken.None);

        var role = await backup.QuerySingleAsync<(bool Super, bool BypassRls, bool CreateRole, bool CreateDb)>(
            "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user");
        var tenantRows = await backup.ExecuteScalarAsync<long>("SELECT count(*) FROM tenant_settings");
        var write = await Assert.ThrowsAsync<PostgresException>(() => backup.ExecuteAsync("DELETE FROM tenant_settings"));

        Assert.Equal((false, true, false, false), role);
        Assert.True(tenantRows >= 2);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, write.SqlState);
    }

    private BlobClient Data(string backupId) =>
        _backups.Get<BlobServiceClient>().GetBlobContainerClient(_backups.Container).GetBlobClient(BackupStorage.DataName(backupId));

    private Task<BackupManifest> TakeBackupAsync() =>
        _backups.Get<DatabaseBackupService>().TakeAsync(BackupId.Create(DateTimeOffset.UtcNow, Guid.NewGuid()), CancellationToken.None);

    private async Task<string> RestoreAsync(string backupId)
    {
        var target = $"streamflow_rt_{Guid.NewGuid():N}";
        var tag = $"test-{Guid.NewGuid():N}";
        _restored.Add((target, tag));
        await _backups.Get<DatabaseRestoreService>().RestoreAsync(
            new RestoreRequest(backupId, target, tag, ApplyNewerMigrations: false), null, CancellationToken.None);
        return target;
    }

    private static async Task<List<(Guid, string, string)>> ReadSettingsAsync(StreamFlowDatabase database, Guid tenant) =>
        (await database.InTenantAsync(tenant, scope => scope.Connection.QueryAsync<(Guid, string, string)>(scope.Command(
            "SELECT tenant_id, time_zone, settings::text FROM tenant_settings")), CancellationToken.None)).ToList();
}
