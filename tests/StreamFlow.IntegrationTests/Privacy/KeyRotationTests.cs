using Dapper;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Outbox;
using StreamFlow.Core.Privacy;
using StreamFlow.Core.Privacy.Rotation;
using StreamFlow.Core.Tenancy;
using StreamFlow.Functions.Hosting;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Outbox;
using StreamFlow.Orchestrations.Privacy;

namespace StreamFlow.IntegrationTests.Privacy;

/// <summary>
/// Key rotation on the real database: a crash between batches leaves every row readable under the version it names and
/// resuming finishes the job; the orchestration rotates a data key end to end and re-wraps keys under the KEK.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class KeyRotationTests(TestServices services)
{
    private const int Leads = KeyRotationService.BatchSize + 120;

    [Fact]
    public async Task A_crash_between_batches_leaves_no_row_unreadable_and_resuming_reseals_the_rest()
    {
        var tenant = await TenantAsync();
        var ids = await SealedLeadsAsync(tenant, Leads);
        var rotations = services.Get<KeyRotationService>();
        var rotation = (await rotations.RequestDataKeyRotationAsync(tenant, "developer:test", default)).Value;
        var version = await rotations.BeginDataKeyRotationAsync(rotation, default);
        var firstBatch = await rotations.ResealBatchAsync(rotation, tenant, version, default);

        // The process dies here; a new one (nothing cached) serves the API and resumes the rotation.
        var fresh = new TenantKeyring(services.Get<StreamFlowDatabase>(), services.Get<IKeyEncryptionKey>(), Options.Create(new PrivacyOptions()), TimeProvider.System);
        var versionsMidway = await VersionsAsync(tenant);
        var readableMidway = await OpenAllAsync(fresh, tenant);
        var conflict = await rotations.RequestDataKeyRotationAsync(tenant, "developer:test", default);
        int resealed;
        var rest = 0;
        while ((resealed = await rotations.ResealBatchAsync(rotation, tenant, version, default)) > 0)
        {
            rest += resealed;
        }

        await rotations.FinishAsync(rotation, null, default);

        Assert.Equal(2, version);
        Assert.Equal(KeyRotationService.BatchSize, firstBatch);
        Assert.Equal(new Dictionary<int, long> { [1] = Leads - KeyRotationService.BatchSize, [2] = KeyRotationService.BatchSize }, versionsMidway);
        Assert.Equal(Leads, readableMidway);
        Assert.Equal(ProblemKind.Conflict, conflict.Problem?.Kind);
        Assert.Equal(Leads - KeyRotationService.BatchSize, rest);
        Assert.Equal(new Dictionary<int, long> { [2] = Leads }, await VersionsAsync(tenant));
        Assert.Equal(new Dictionary<int, long> { [2] = Leads * 7 }, await ValueVersionsAsync(tenant));
        Assert.Equal(Leads, await OpenAllAsync(fresh, tenant));
        Assert.Equal($"lead-{Leads - 1}@example.com", (await services.Get<LeadService>().GetAsync(tenant, ids[^1], false, default)).Value!.Email);
        var done = (await rotations.FindAsync(rotation, default))!;
        Assert.Equal<(string, int?, int?, long, long)>(("completed", 1, 2, Leads, Leads), (done.Status, done.FromVersion, done.ToVersion, done.RowsTotal, done.RowsDone));
    }

    [Fact]
    public async Task The_orchestration_rotates_a_data_key_and_then_rewraps_every_key_under_the_kek()
    {
        var tenant = await TenantAsync();
        await SealedLeadsAsync(tenant, 30);
        await using var host = await DurableTestHosts.StartAsync(
            registry =>
            {
                registry.AddOrchestrator(TaskNames.KeyRotation, () => new KeyRotationOrchestrator());
                registry.AddActivity(TaskNames.BeginDataKeyRotation, p => p.GetRequiredService<BeginDataKeyRotationActivity>());
                registry.AddActivity(TaskNames.ResealBatch, p => p.GetRequiredService<ResealBatchActivity>());
                registry.AddActivity(TaskNames.BeginKekRotation, p => p.GetRequiredService<BeginKekRotationActivity>());
                registry.AddActivity(TaskNames.RewrapTenantKeys, p => p.GetRequiredService<RewrapTenantKeysActivity>());
                registry.AddActivity(TaskNames.FinishKeyRotation, p => p.GetRequiredService<FinishKeyRotationActivity>());
            },
            new DurableTaskTestHostOptions { ConfigureServices = collection => collection.AddLogging().AddSingleton(services.Configuration).AddStreamFlowFunctions(services.Configuration) });
        var rotations = services.Get<KeyRotationService>();

        var dataKey = (await rotations.RequestDataKeyRotationAsync(tenant, "developer:test", default)).Value;
        await RunAsync(host, new KeyRotationRun(dataKey, KeyRotationService.DataKey, tenant));
        var wrappedBefore = await WrappedKeysAsync(tenant);
        var kek = (await rotations.RequestKekRotationAsync("developer:test", default)).Value;
        await RunAsync(host, new KeyRotationRun(kek, KeyRotationService.Kek, null));

        Assert.Equal("completed", (await rotations.FindAsync(dataKey, default))!.Status);
        Assert.Equal(new Dictionary<int, long> { [2] = 30 }, await VersionsAsync(tenant));
        var kekRotation = (await rotations.FindAsync(kek, default))!;
        Assert.Equal("completed", kekRotation.Status);
        Assert.True(kekRotation.KeysRewrapped >= 3);
        var wrappedAfter = await WrappedKeysAsync(tenant);
        Assert.Equal(3, wrappedAfter.Count);
        Assert.All(wrappedAfter, key => Assert.DoesNotContain(wrappedBefore, before => before.SequenceEqual(key)));
        var fresh = new TenantKeyring(services.Get<StreamFlowDatabase>(), services.Get<IKeyEncryptionKey>(), Options.Create(new PrivacyOptions()), TimeProvider.System);
        Assert.Equal(30, await OpenAllAsync(fresh, tenant));
    }

    // Issue #19: the developer's request commits the rotation with its platform operation and answers; the outbox
    // dispatcher starts the orchestration once the durable backend answers, once however often it runs.
    [Fact]
    public async Task A_data_key_rotation_is_committed_without_the_durable_backend_and_runs_once_when_a_dispatcher_can_start_it()
    {
        var tenant = await TenantAsync();
        await SealedLeadsAsync(tenant, 12);
        var hub = $"KeyRotation{Guid.NewGuid():N}"[..24];
        var database = services.Get<StreamFlowDatabase>();
        var operations = new PlatformOperations(database, Options.Create(new WorkOutboxOptions { TaskHub = hub }));
        var rotations = new KeyRotationService(
            database, services.Get<TenantKeyring>(), services.Get<IKeyEncryptionKey>(), services.Get<AuditLog>(), TimeProvider.System, operations);
        var dispatcher = new WorkOutboxDispatcher(
            database, Options.Create(new WorkOutboxOptions { TaskHub = hub, ClaimLease = TimeSpan.FromSeconds(1) }), NullLogger<WorkOutboxDispatcher>.Instance);

        var rotation = (await rotations.StartDataKeyRotationAsync(tenant, "developer:test", default)).Value;
        var instanceId = KeyRotationService.InstanceIdOf(rotation);
        var unknownBusiness = await rotations.StartDataKeyRotationAsync(Guid.NewGuid(), "developer:test", default);
        var startedWhileDown = await dispatcher.DispatchPendingAsync(new UnreachableBackend(), default);
        var whileDown = (await rotations.FindAsync(rotation, default))!;
        var operationWhileDown = (await operations.FindAsync(instanceId, default))!;
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await using var host = await DurableTestHosts.StartAsync(
            registry =>
            {
                registry.AddOrchestrator(TaskNames.KeyRotation, () => new KeyRotationOrchestrator());
                registry.AddActivity(TaskNames.BeginDataKeyRotation, p => p.GetRequiredService<BeginDataKeyRotationActivity>());
                registry.AddActivity(TaskNames.ResealBatch, p => p.GetRequiredService<ResealBatchActivity>());
                registry.AddActivity(TaskNames.BeginKekRotation, p => p.GetRequiredService<BeginKekRotationActivity>());
                registry.AddActivity(TaskNames.RewrapTenantKeys, p => p.GetRequiredService<RewrapTenantKeysActivity>());
                registry.AddActivity(TaskNames.FinishKeyRotation, p => p.GetRequiredService<FinishKeyRotationActivity>());
            },
            new DurableTaskTestHostOptions { ConfigureServices = collection => collection.AddLogging().AddSingleton(services.Configuration).AddStreamFlowFunctions(services.Configuration) });
        var startedWhenBack = await Task.WhenAll(
            dispatcher.DispatchPendingAsync(new DurableWorkStarter(host.Client, NullLogger.Instance), default),
            dispatcher.DispatchPendingAsync(new DurableWorkStarter(host.Client, NullLogger.Instance), default));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        var metadata = await host.Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var startedAgain = await dispatcher.DispatchPendingAsync(new DurableWorkStarter(host.Client, NullLogger.Instance), default);

        Assert.Equal(ProblemKind.NotFound, unknownBusiness.Problem?.Kind);
        Assert.Equal((0, "pending", (DateTimeOffset?)null), (startedWhileDown, whileDown.Status, operationWhileDown.StartedAt));
        Assert.Equal(PlatformWorkKinds.KeyRotation, operationWhileDown.Kind);
        Assert.Equal((1, 0), (startedWhenBack.Sum(), startedAgain));
        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.Equal("\"completed\"", metadata.SerializedOutput);
        var done = (await rotations.FindAsync(rotation, default))!;
        Assert.Equal<(string, string?, int?, long)>(("completed", "developer:test", 2, 12), (done.Status, done.RequestedBy, done.ToVersion, done.RowsDone));
        Assert.Equal(new Dictionary<int, long> { [2] = 12 }, await VersionsAsync(tenant));
    }

    /// <summary>A starter whose durable backend does not answer: nothing starts (as DurableWorkStarter answers then).</summary>
    private sealed class UnreachableBackend : IWorkStarter
    {
        public Task<IReadOnlyList<long>> StartAsync(IReadOnlyList<WorkItem> items, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<long>>([]);
    }

    [Fact]
    public async Task The_policy_timer_starts_one_rotation_per_due_business_and_none_for_the_others()
    {
        var (due, fresh, noPolicy) = (await TenantAsync(), await TenantAsync(), await TenantAsync());
        foreach (var tenant in new[] { due, fresh, noPolicy })
        {
            await SealedLeadsAsync(tenant, 5);
        }

        await AgeDataKeysAsync(due, days: 31);
        await AgeDataKeysAsync(noPolicy, days: 400);
        var retention = services.Get<StreamFlow.Core.Privacy.Retention.RetentionService>();
        foreach (var tenant in new[] { due, fresh })
        {
            var policy = await retention.SetPolicyAsync(tenant, "user:test", new StreamFlow.Core.Privacy.Retention.RetentionPolicy(null, null, null, null, 30), default);
            Assert.True(policy.Succeeded, policy.Problem?.ToString());
        }

        await using var host = await DurableTestHosts.StartAsync(
            registry =>
            {
                registry.AddOrchestrator(TaskNames.KeyRotation, () => new KeyRotationOrchestrator());
                registry.AddActivity(TaskNames.BeginDataKeyRotation, p => p.GetRequiredService<BeginDataKeyRotationActivity>());
                registry.AddActivity(TaskNames.ResealBatch, p => p.GetRequiredService<ResealBatchActivity>());
                registry.AddActivity(TaskNames.BeginKekRotation, p => p.GetRequiredService<BeginKekRotationActivity>());
                registry.AddActivity(TaskNames.RewrapTenantKeys, p => p.GetRequiredService<RewrapTenantKeysActivity>());
                registry.AddActivity(TaskNames.FinishKeyRotation, p => p.GetRequiredService<FinishKeyRotationActivity>());
            },
            new DurableTaskTestHostOptions { ConfigureServices = collection => collection.AddLogging().AddSingleton(services.Configuration).AddStreamFlowFunctions(services.Configuration) });
        var rotations = services.Get<KeyRotationService>();
        var instances = new List<string>();
        Task Start(DueRotation rotation, CancellationToken token) => Record(host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.KeyRotation,
            new KeyRotationRun(rotation.RotationId, KeyRotationService.DataKey, rotation.TenantId), new StartOrchestrationOptions($"key-rotation-{rotation.RotationId:N}"), token));
        async Task Record(Task<string> scheduled) => instances.Add(await scheduled);
        var mine = new[] { due, fresh, noPolicy };

        var first = await rotations.StartDueDataKeyRotationsAsync(Start, default);
        var whileRunning = await rotations.StartDueDataKeyRotationsAsync(Start, default);
        foreach (var instance in instances.ToList())
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
            Assert.Equal(OrchestrationRuntimeStatus.Completed, (await host.Client.WaitForInstanceCompletionAsync(instance, getInputsAndOutputs: true, timeout.Token)).RuntimeStatus);
        }

        var afterwards = await rotations.StartDueDataKeyRotationsAsync(Start, default);

        var started = Assert.Single(first, r => mine.Contains(r.TenantId));
        Assert.Equal(due, started.TenantId);
        Assert.DoesNotContain(whileRunning, r => mine.Contains(r.TenantId));
        Assert.DoesNotContain(afterwards, r => mine.Contains(r.TenantId));
        var rotation = (await rotations.FindAsync(started.RotationId, default))!;
        Assert.Equal(("completed", KeyRotationService.PolicyActor, (int?)2), (rotation.Status, rotation.RequestedBy, rotation.ToVersion));
        Assert.Equal(new Dictionary<int, long> { [2] = 5 }, await VersionsAsync(due));
        Assert.Equal(new Dictionary<int, long> { [1] = 5 }, await VersionsAsync(fresh));
        Assert.Equal(new Dictionary<int, long> { [1] = 5 }, await VersionsAsync(noPolicy));
    }

    private Task<int> AgeDataKeysAsync(Guid tenant, int days) => InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync(
        "UPDATE tenant_data_keys SET created_at = now() - make_interval(days => @Days)", new { Days = days }, scope.Transaction));

    private static async Task RunAsync(DurableTaskTestHost host, KeyRotationRun run)
    {
        var instance = await host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.KeyRotation, run);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        var metadata = await host.Client.WaitForInstanceCompletionAsync(instance, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        Assert.Equal("\"completed\"", metadata.SerializedOutput);
    }

    private Task<T> InTenantAsync<T>(Guid tenant, Func<DbTransactionScope, Task<T>> work) =>
        services.Get<StreamFlowDatabase>().InTenantAsync(tenant, work, default);

    private async Task<Dictionary<int, long>> VersionsAsync(Guid tenant) =>
        (await InTenantAsync(tenant, scope => scope.Connection.QueryAsync<(int Version, long Count)>(
            "SELECT personal_key_version, count(*) FROM leads WHERE personal_key_version IS NOT NULL GROUP BY 1 ORDER BY 1", null, scope.Transaction)))
        .ToDictionary(r => r.Version, r => r.Count);

    /// <summary>How many sealed lead values (email, phone, notes and the four address parts) each data key version sealed, by their own headers.</summary>
    private async Task<Dictionary<int, long>> ValueVersionsAsync(Guid tenant) =>
        (await InTenantAsync(tenant, scope => scope.Connection.QueryAsync<byte[]>("""
            SELECT v FROM leads, unnest(ARRAY[email_sealed, phone_sealed, notes_sealed, postal_code_sealed, state_sealed, city_sealed, country_sealed]) AS v
            WHERE v IS NOT NULL
            """, null, scope.Transaction)))
        .GroupBy(TenantKeys.VersionOf).ToDictionary(g => g.Key, g => (long)g.Count());

    private async Task<List<byte[]>> WrappedKeysAsync(Guid tenant) =>
        (await InTenantAsync(tenant, scope => scope.Connection.QueryAsync<byte[]>(
            "SELECT wrapped_key FROM tenant_data_keys UNION ALL SELECT wrapped_key FROM tenant_index_keys", null, scope.Transaction))).ToList();

    /// <summary>Opens every sealed email, phone and note as a fresh process would; returns how many leads opened.</summary>
    private async Task<int> OpenAllAsync(TenantKeyring keyring, Guid tenant)
    {
        var keys = await keyring.ForTenantAsync(tenant, default);
        var rows = await InTenantAsync(tenant, scope => scope.Connection.QueryAsync<(Guid Id, byte[] Email, byte[] Phone, byte[] Notes, byte[] PostalCode, byte[] State, byte[] City, byte[] Country)>(
            "SELECT id, email_sealed, phone_sealed, notes_sealed, postal_code_sealed, state_sealed, city_sealed, country_sealed FROM leads WHERE email_sealed IS NOT NULL",
            null, scope.Transaction));
        var opened = 0;
        foreach (var row in rows)
        {
            Assert.EndsWith("@example.com", keys.Open(PersonalFields.LeadsTable, PersonalFields.Email, row.Id, row.Email), StringComparison.Ordinal);
            Assert.StartsWith("+1512", keys.Open(PersonalFields.LeadsTable, PersonalFields.Phone, row.Id, row.Phone), StringComparison.Ordinal);
            Assert.StartsWith("Rotated lead", keys.Open(PersonalFields.LeadsTable, PersonalFields.Notes, row.Id, row.Notes), StringComparison.Ordinal);
            Assert.StartsWith("787", keys.Open(PersonalFields.LeadsTable, PersonalFields.PostalCode, row.Id, row.PostalCode), StringComparison.Ordinal);
            Assert.Equal("TX", keys.Open(PersonalFields.LeadsTable, PersonalFields.State, row.Id, row.State));
            Assert.StartsWith("Rotated City", keys.Open(PersonalFields.LeadsTable, PersonalFields.City, row.Id, row.City), StringComparison.Ordinal);
            Assert.Equal("US", keys.Open(PersonalFields.LeadsTable, PersonalFields.Country, row.Id, row.Country));
            opened++;
        }

        return opened;
    }

    /// <summary>Leads sealed under the tenant's current key as the lead service seals them, inserted in one statement.</summary>
    private async Task<Guid[]> SealedLeadsAsync(Guid tenant, int count)
    {
        var keys = await services.Get<TenantKeyring>().ForTenantAsync(tenant, default);
        var ids = Enumerable.Range(0, count).Select(_ => Guid.CreateVersion7()).ToArray();
        var sealedFields = ids.Select((id, i) => PersonalFields.SealLead(keys, id, $"lead-{i}@example.com", $"+1512555{i:D4}", $"Rotated lead {i}, side gate",
            new LeadAddress($"787{i % 100:D2}", "TX", $"Rotated City {i}", "US"))).ToArray();
        await InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync("""
            INSERT INTO leads (id, tenant_id, first_name, email_sealed, phone_sealed, email_index, phone_index, notes_sealed,
                               postal_code_sealed, state_sealed, city_sealed, country_sealed, personal_key_version, stage, created_at, updated_at)
            SELECT r.id, @Tenant, 'Rotated', r.email, r.phone, r.email_index, r.phone_index, r.notes, r.postal_code, r.state, r.city, r.country,
                   @Version, 'new', now(), now()
            FROM unnest(@Ids, @Emails, @Phones, @EmailIndexes, @PhoneIndexes, @Notes, @PostalCodes, @States, @Cities, @Countries)
                AS r (id, email, phone, email_index, phone_index, notes, postal_code, state, city, country)
            """, new
        {
            Tenant = tenant, Version = keys.CurrentVersion, Ids = ids,
            Emails = sealedFields.Select(s => s.EmailSealed!).ToArray(), Phones = sealedFields.Select(s => s.PhoneSealed!).ToArray(),
            EmailIndexes = sealedFields.Select(s => s.EmailIndex!).ToArray(), PhoneIndexes = sealedFields.Select(s => s.PhoneIndex!).ToArray(),
            Notes = sealedFields.Select(s => s.NotesSealed!).ToArray(), PostalCodes = sealedFields.Select(s => s.PostalCodeSealed!).ToArray(),
            States = sealedFields.Select(s => s.StateSealed!).ToArray(), Cities = sealedFields.Select(s => s.CitySealed!).ToArray(),
            Countries = sealedFields.Select(s => s.CountrySealed!).ToArray(),
        }, scope.Transaction));
        return ids;
    }

    private async Task<Guid> TenantAsync()
    {
        var slug = $"rot-{Guid.NewGuid():N}"[..20];
        return (await services.Get<TenantService>().CreateAsync(
            new CreateTenantRequest("Rotation", slug, "hvac", new TenantOwner($"owner@{slug}.example.com", "Owner", "a long enough password")),
            "test", RequestOrigin.None, default)).Value!.Tenant.Id;
    }
}
