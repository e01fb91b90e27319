using Dapper;
using Npgsql;
using StreamFlow.Core.Database;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.IntegrationTests.Webhooks;

[Collection(ServicesCollection.Name)]
public sealed class WebhookOutboxTests(TestServices services) : IAsyncLifetime
{
    private static readonly string[] WebhookTables = ["webhook_settings", "webhook_endpoints", "webhook_messages", "webhook_deliveries", "webhook_attempts"];

    private WebhookHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await WebhookHarness.StartAsync(services);

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task An_event_is_committed_with_the_change_that_caused_it()
    {
        var tenant = await _harness.CreateTenantAsync();

        var messageId = await _harness.Database.InTenantAsync(tenant, async scope =>
        {
            await ChangeSomethingAsync(scope, tenant);
            return await _harness.Get<WebhookOutbox>().AddAsync(scope, tenant, WebhookEventCatalog.LeadCreated, new { LeadId = Guid.NewGuid() }, CancellationToken.None);
        }, CancellationToken.None);

        Assert.Equal((1, 1), await CountsAsync(tenant));
        Assert.StartsWith("msg_", messageId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_event_survives_a_change_that_rolled_back()
    {
        var tenant = await _harness.CreateTenantAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => _harness.Database.InTenantAsync<string>(tenant, async scope =>
        {
            await ChangeSomethingAsync(scope, tenant);
            await _harness.Get<WebhookOutbox>().AddAsync(scope, tenant, WebhookEventCatalog.LeadCreated, new { LeadId = Guid.NewGuid() }, CancellationToken.None);
            throw new InvalidOperationException("the change failed after publishing");
        }, CancellationToken.None));

        Assert.Equal((0, 0), await CountsAsync(tenant));
    }

    [Fact]
    public async Task Publishing_an_event_type_outside_the_catalog_is_refused()
    {
        var tenant = await _harness.CreateTenantAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => _harness.PublishAsync(tenant, "lead.teleported"));
    }

    [Fact]
    public async Task Publishing_for_another_tenant_than_the_transactions_is_refused_by_row_level_security()
    {
        var tenant = await _harness.CreateTenantAsync();
        var other = await _harness.CreateTenantAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => _harness.Database.InTenantAsync(tenant, scope =>
            _harness.Get<WebhookOutbox>().AddAsync(scope, other, WebhookEventCatalog.LeadCreated, new { LeadId = Guid.NewGuid() }, CancellationToken.None),
            CancellationToken.None));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task The_sweep_dispatches_committed_events_of_every_tenant_and_marks_them_dispatched()
    {
        var tenantA = await _harness.CreateTenantAsync();
        var tenantB = await _harness.CreateTenantAsync();
        var urlA = _harness.Receiver.Url("ok");
        var urlB = _harness.Receiver.Url("ok");
        await _harness.CreateEndpointAsync(tenantA, urlA);
        await _harness.CreateEndpointAsync(tenantB, urlB);
        var messageA = await _harness.PublishUnclaimedAsync(tenantA);
        var messageB = await _harness.PublishUnclaimedAsync(tenantB);

        await _harness.Dispatcher.DispatchPendingAsync(_harness.Starter, CancellationToken.None);
        var sweptHere = _harness.Starter.Started.Where(s => s.TenantId == tenantA || s.TenantId == tenantB).ToList();
        await _harness.WaitAsync(sweptHere);
        // A standalone host on the same database (the end-to-end suite runs beside this one) may claim an event first;
        // then that host dispatches it. Either way every committed event ends up dispatched, and none twice.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await UndispatchedAsync(tenantA) + await UndispatchedAsync(tenantB) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.Equal(0, await UndispatchedAsync(tenantA) + await UndispatchedAsync(tenantB));
        foreach (var (tenant, url, message) in new[] { (tenantA, urlA, messageA), (tenantB, urlB, messageB) })
        {
            var received = _harness.Receiver.ReceivedAt(url);
            Assert.True(received.Count <= 1, $"{message} was delivered {received.Count} times");
            if (sweptHere.Any(s => s.TenantId == tenant))
            {
                Assert.Equal(message, Assert.Single(received).Header("webhook-id"));
            }
        }
    }

    [Fact]
    public async Task The_claim_function_hands_out_only_ids_and_the_app_role_still_sees_no_outbox_row_without_a_tenant()
    {
        var tenant = await _harness.CreateTenantAsync();
        var messageId = await _harness.PublishUnclaimedAsync(tenant);

        var visibleWithoutTenant = await _harness.Database.InPlatformAsync(
            scope => scope.Connection.ExecuteScalarAsync<long>(scope.Command("SELECT count(*) FROM webhook_messages")), CancellationToken.None);
        var claimed = await ClaimPairsAsync();
        var columns = await _harness.Database.InPlatformAsync(scope => scope.Connection.QueryAsync<string>(scope.Command("""
            SELECT unnest(proargnames) FROM pg_proc WHERE proname = 'webhook_claim_outbox'
            """)), CancellationToken.None);

        Assert.Equal(0, visibleWithoutTenant);
        Assert.Contains((tenant, messageId), claimed);
        Assert.Equal(["max_messages", "lease_seconds", "claimed_tenant_id", "claimed_message_id"], columns);
    }

    [Fact]
    public async Task A_claimed_event_is_not_claimed_again_while_its_lease_runs()
    {
        var tenant = await _harness.CreateTenantAsync();
        var messageId = await _harness.PublishUnclaimedAsync(tenant);

        var first = await ClaimAsync();
        var second = await ClaimAsync();

        Assert.Contains(messageId, first);
        Assert.DoesNotContain(messageId, second);
    }

    [Fact]
    public async Task Webhook_rows_of_one_tenant_are_invisible_and_unchangeable_for_another()
    {
        var owner = await _harness.CreateTenantAsync(new WebhookRetrySchedule([TimeSpan.FromSeconds(1)], 2));
        var endpoint = await _harness.CreateEndpointAsync(owner, _harness.Receiver.Url("ok"));
        await _harness.DeliverAsync(owner, await _harness.PublishAsync(owner));
        var stranger = await _harness.CreateTenantAsync();

        var seenByStranger = await _harness.Database.InTenantAsync(stranger, async scope =>
        {
            var total = 0L;
            foreach (var table in WebhookTables)
            {
                total += await scope.Connection.ExecuteScalarAsync<long>(scope.Command($"SELECT count(*) FROM {table}"));
            }

            return total;
        }, CancellationToken.None);
        var changedByStranger = await _harness.Database.InTenantAsync(stranger, scope => scope.Connection.ExecuteAsync(scope.Command(
            "UPDATE webhook_endpoints SET url = 'https://attacker.example.com/' WHERE id = @id", new { id = endpoint.Id })), CancellationToken.None);
        var lookup = await _harness.Endpoints.GetAsync(stranger, endpoint.Id, CancellationToken.None);
        var log = await _harness.Log.ListAttemptsAsync(stranger, endpoint.Id, new WebhookAttemptFilter(), null, null, CancellationToken.None);

        Assert.Equal(0, seenByStranger);
        Assert.Equal(0, changedByStranger);
        Assert.Equal(Core.Kernel.ProblemKind.NotFound, lookup.Problem?.Kind);
        Assert.Equal(Core.Kernel.ProblemKind.NotFound, log.Problem?.Kind);
    }

    [Fact]
    public async Task The_attempt_log_cannot_be_rewritten_by_the_application()
    {
        var tenant = await _harness.CreateTenantAsync();
        var endpoint = await _harness.CreateEndpointAsync(tenant, _harness.Receiver.Url("ok"));
        await _harness.DeliverAsync(tenant, await _harness.PublishAsync(tenant));

        var error = await Assert.ThrowsAsync<PostgresException>(() => _harness.Database.InTenantAsync(tenant, scope =>
            scope.Connection.ExecuteAsync(scope.Command("UPDATE webhook_attempts SET succeeded = false WHERE endpoint_id = @id", new { id = endpoint.Id })),
            CancellationToken.None));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    // The database is shared with other tests whose events may wait undispatched, so claim until the backlog is empty.
    private async Task<List<string>> ClaimAsync() => (await ClaimPairsAsync()).Select(pair => pair.MessageId).ToList();

    private async Task<List<(Guid TenantId, string MessageId)>> ClaimPairsAsync()
    {
        var claimed = new List<(Guid TenantId, string MessageId)>();
        List<(Guid TenantId, string MessageId)> batch;
        do
        {
            batch = await _harness.Database.InPlatformAsync(async scope => (await scope.Connection.QueryAsync<(Guid TenantId, string MessageId)>(scope.Command(
                "SELECT claimed_tenant_id, claimed_message_id FROM webhook_claim_outbox(1000, 60)"))).ToList(), CancellationToken.None);
            claimed.AddRange(batch);
        }
        while (batch.Count == 1000);

        return claimed;
    }

    private static Task ChangeSomethingAsync(DbTransactionScope scope, Guid tenant) =>
        scope.Connection.ExecuteAsync(scope.Command("INSERT INTO tenant_settings (tenant_id, time_zone) VALUES (@tenant, 'UTC')", new { tenant }));

    private Task<(long Changes, long Events)> CountsAsync(Guid tenant) =>
        _harness.Database.InTenantAsync(tenant, async scope => (
            await scope.Connection.ExecuteScalarAsync<long>(scope.Command("SELECT count(*) FROM tenant_settings")),
            await scope.Connection.ExecuteScalarAsync<long>(scope.Command("SELECT count(*) FROM webhook_messages"))), CancellationToken.None);

    private Task<long> UndispatchedAsync(Guid tenant) =>
        _harness.Database.InTenantAsync(tenant, scope => scope.Connection.ExecuteScalarAsync<long>(scope.Command(
            "SELECT count(*) FROM webhook_messages WHERE dispatched_at IS NULL")), CancellationToken.None);
}
