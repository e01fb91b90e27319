using System.Collections.Concurrent;
using Dapper;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;
using StreamFlow.Core.Outbox;
using StreamFlow.Core.Webhooks;
using StreamFlow.Functions.Hosting;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Outbox;
using StreamFlow.Orchestrations.Webhooks;

namespace StreamFlow.IntegrationTests.Webhooks;

/// <summary>
/// Real PostgreSQL, the real services, the delivery orchestration in an in-process durable host and a receiver on
/// 127.0.0.1. Loopback is allowed (the development setting) and the attempt timeout is short.
/// </summary>
internal sealed class WebhookHarness : IAsyncDisposable
{
    private DurableTaskTestHost _host = null!;

    public WebhookReceiver Receiver { get; private set; } = null!;

    public RecordingStarter Starter { get; private set; } = null!;

    public IServiceProvider Services => _host.Services;

    public DurableTaskClient Client => _host.Client;

    public StreamFlowDatabase Database => Get<StreamFlowDatabase>();

    public WebhookEndpointService Endpoints => Get<WebhookEndpointService>();

    public WebhookDispatcher Dispatcher => Get<WebhookDispatcher>();

    /// <summary>
    /// Resends, recoveries and test events commit work outbox rows of this harness's own task hub, so that no other
    /// test's (or host's) dispatcher starts them: <see cref="DispatchWorkAsync"/> does.
    /// </summary>
    public WebhookReplayService Replay => new(Database, Get<TimeProvider>(), new WorkOutbox(Options.Create(new WorkOutboxOptions { TaskHub = WorkHub })));

    public string WorkHub { get; } = $"Webhooks{Guid.NewGuid():N}"[..24];

    public WebhookLogService Log => Get<WebhookLogService>();

    public WebhookSettingsService Settings => Get<WebhookSettingsService>();

    public static async Task<WebhookHarness> StartAsync(TestServices services, IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Webhooks:AllowLoopbackForDevelopment"] = "true",
            ["Webhooks:AttemptTimeout"] = "00:00:03",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddConfiguration(services.Configuration).AddInMemoryCollection(values).Build();
        var harness = new WebhookHarness { Receiver = await WebhookReceiver.StartAsync() };
        harness._host = await DurableTestHosts.StartAsync(
            registry =>
            {
                registry.AddOrchestrator(TaskNames.WebhookDelivery, () => new WebhookDeliveryOrchestrator());
                registry.AddActivity(TaskNames.SendWebhookAttempt, provider => provider.GetRequiredService<SendWebhookAttemptActivity>());
            },
            new DurableTaskTestHostOptions
            {
                ConfigureServices = collection => collection.AddLogging().AddSingleton<IConfiguration>(configuration).AddStreamFlowFunctions(configuration),
            });
        harness.Starter = new RecordingStarter(new DurableWebhookDeliveryStarter(harness._host.Client));
        return harness;
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public async Task<Guid> CreateTenantAsync(WebhookRetrySchedule? schedule = null)
    {
        var tenant = Guid.CreateVersion7();
        await Database.InPlatformAsync(scope => scope.Connection.ExecuteAsync(scope.Command(
            "INSERT INTO tenants (id, slug, name, industry) VALUES (@tenant, @slug, 'Webhook test tenant', 'hvac')",
            new { tenant, slug = $"wh-{tenant:N}" })), CancellationToken.None);
        if (schedule is not null)
        {
            var updated = await Settings.UpdateAsync(
                tenant, new UpdateWebhookSettings(schedule.Delays.Select(d => (int)d.TotalSeconds).ToArray(), schedule.MaxAttempts), CancellationToken.None);
            Assert.True(updated.Succeeded);
        }

        return tenant;
    }

    public async Task<CreatedWebhookEndpoint> CreateEndpointAsync(Guid tenant, string url, IReadOnlyList<string>? eventTypes = null)
    {
        var created = await Endpoints.CreateAsync(tenant, new CreateWebhookEndpoint(url, eventTypes), CancellationToken.None);
        Assert.True(created.Succeeded, created.Problem?.ToString());
        return created.Value;
    }

    /// <summary>
    /// Publishes an event that this harness dispatches itself (DeliverAsync): it is committed already leased, so the
    /// outbox listener of a standalone host running on the same database (the end-to-end suite) never claims and
    /// delivers it a second time.
    /// </summary>
    public Task<string> PublishAsync(Guid tenant, string eventType = WebhookEventCatalog.LeadCreated, object? data = null) =>
        Database.InTenantAsync(tenant, async scope =>
        {
            var messageId = await Get<WebhookOutbox>().AddAsync(
                scope, tenant, eventType, data ?? new { LeadId = Guid.NewGuid(), FirstName = "Dana" }, CancellationToken.None);
            await scope.Connection.ExecuteAsync(scope.Command(
                "UPDATE webhook_messages SET dispatch_lease_until = now() + interval '1 hour' WHERE id = @messageId", new { messageId }));
            return messageId;
        }, CancellationToken.None);

    /// <summary>Publishes an event left for the outbox's claim and sweep to find, as the application does.</summary>
    public Task<string> PublishUnclaimedAsync(Guid tenant) =>
        Database.InTenantAsync(tenant, scope => Get<WebhookOutbox>().AddAsync(
            scope, tenant, WebhookEventCatalog.LeadCreated, new { LeadId = Guid.NewGuid(), FirstName = "Dana" }, CancellationToken.None), CancellationToken.None);

    /// <summary>Dispatches the tenant's events and waits until every delivery orchestration started for them has finished.</summary>
    public async Task<IReadOnlyList<WebhookDeliveryResult>> DeliverAsync(Guid tenant, params string[] messageIds)
    {
        var before = Starter.Started.Count;
        await Dispatcher.DispatchMessagesAsync(tenant, messageIds, Starter, CancellationToken.None);
        return await WaitAsync(Starter.Started.Skip(before).ToList());
    }

    /// <summary>
    /// Runs the work outbox dispatcher of this harness's task hub once (claims last a second), with
    /// <paramref name="starter"/> or the durable client; returns how many work items it started.
    /// </summary>
    public Task<int> DispatchWorkAsync(IWorkStarter? starter = null) =>
        new WorkOutboxDispatcher(Database, Options.Create(new WorkOutboxOptions { TaskHub = WorkHub, ClaimLease = TimeSpan.FromSeconds(1) }), NullLogger<WorkOutboxDispatcher>.Instance)
            .DispatchPendingAsync(starter ?? new DurableWorkStarter(Client, NullLogger.Instance, Replay), CancellationToken.None);

    /// <summary>The work rows of this harness's task hub still waiting for a dispatcher.</summary>
    public Task<int> WaitingWorkAsync(Guid tenant) =>
        Database.InTenantAsync(tenant, scope => scope.Connection.ExecuteScalarAsync<int>(scope.Command(
            "SELECT count(*) FROM work_outbox WHERE task_hub = @hub AND kind = @kind", new { hub = WorkHub, kind = WorkKinds.WebhookDelivery })), CancellationToken.None);

    /// <summary>The pending deliveries of an endpoint, as the round the dispatcher will start.</summary>
    public Task<List<WebhookDeliveryStart>> PendingStartsAsync(Guid tenant, Guid endpointId) =>
        Database.InTenantAsync(tenant, async scope => (await scope.Connection.QueryAsync<(Guid Id, int Round)>(scope.Command(
            "SELECT id, round FROM webhook_deliveries WHERE endpoint_id = @endpointId AND status = 'pending'", new { endpointId })))
            .Select(d => new WebhookDeliveryStart(tenant, d.Id, d.Round)).ToList(), CancellationToken.None);

    public async Task<IReadOnlyList<WebhookDeliveryResult>> WaitAsync(IReadOnlyList<WebhookDeliveryStart> starts)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var results = new List<WebhookDeliveryResult>();
        foreach (var start in starts)
        {
            var metadata = await Client.WaitForInstanceCompletionAsync(start.InstanceId, getInputsAndOutputs: true, timeout.Token);
            Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
            results.Add(metadata.ReadOutputAs<WebhookDeliveryResult>()!);
        }

        return results;
    }

    public async Task<IReadOnlyList<WebhookAttemptRecord>> AttemptsAsync(Guid tenant, Guid endpointId)
    {
        var page = await Log.ListAttemptsAsync(tenant, endpointId, new WebhookAttemptFilter(), 500, null, CancellationToken.None);
        return page.Value!.Items.OrderBy(a => a.AttemptNumber).ToList();
    }

    public async Task<IReadOnlyList<WebhookEndpointMessage>> MessagesAsync(Guid tenant, Guid endpointId)
    {
        var page = await Log.ListMessagesAsync(tenant, endpointId, new WebhookMessageFilter(), 500, null, CancellationToken.None);
        return page.Value!.Items;
    }

    public Task<List<string>> EventTypesInOutboxAsync(Guid tenant) =>
        Database.InTenantAsync(tenant, async scope =>
            (await scope.Connection.QueryAsync<string>(scope.Command("SELECT event_type FROM webhook_messages ORDER BY id"))).ToList(), CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

/// <summary>A work starter whose durable backend does not answer: nothing starts (as DurableWorkStarter answers then).</summary>
internal sealed class UnreachableWorkBackend : IWorkStarter
{
    public Task<IReadOnlyList<long>> StartAsync(IReadOnlyList<WorkItem> items, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<long>>([]);
}

/// <summary>Starts through the durable client and remembers what it started.</summary>
internal sealed class RecordingStarter(IWebhookDeliveryStarter inner) : IWebhookDeliveryStarter
{
    private readonly ConcurrentQueue<WebhookDeliveryStart> _started = new();

    public IReadOnlyList<WebhookDeliveryStart> Started => _started.ToArray();

    public async Task StartAsync(IReadOnlyList<WebhookDeliveryStart> deliveries, CancellationToken cancellationToken)
    {
        await inner.StartAsync(deliveries, cancellationToken);
        foreach (var delivery in deliveries)
        {
            _started.Enqueue(delivery);
        }
    }
}
