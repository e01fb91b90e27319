using Dapper;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Database;
using StreamFlow.Core.Tenancy;
using StreamFlow.Functions.Hosting;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Connections;
using StreamFlow.Orchestrations.Rfps;

namespace StreamFlow.IntegrationTests.Connections;

/// <summary>
/// The real services (PostgreSQL, Azurite) with SAM.gov pointed at a fake, and the real sync and RFP orchestrations in a
/// DurableTaskTestHost. Retries are quick (RetryDelay 100 ms, two retries) so that failing vendors fail fast.
/// </summary>
internal sealed class ConnectionTestBed : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly DurableTaskTestHost _host;

    private ConnectionTestBed(ServiceProvider provider, DurableTaskTestHost host)
    {
        _provider = provider;
        _host = host;
    }

    public ConnectionService Connections => Get<ConnectionService>();

    public DurableTaskClient Durable => _host.Client;

    public T Get<T>() where T : notnull => _provider.GetRequiredService<T>();

    /// <param name="settings">More settings on top (another connector's base URLs).</param>
    public static async Task<ConnectionTestBed> StartAsync(TestServices services, string samGovUrl, int pageSize = 1000, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder().AddConfiguration(services.Configuration).AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LeadSources:SamGov:BaseUrl"] = samGovUrl,
            ["LeadSources:SamGov:AttachmentBaseUrl"] = samGovUrl,
            ["LeadSources:SamGov:PageSize"] = pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Connections:RetryDelay"] = "00:00:00.100",
            ["Connections:MaxPageRetries"] = "2",
        }).Build();
        void Configure(IServiceCollection collection) => collection.AddLogging().AddSingleton<IConfiguration>(configuration).AddStreamFlowFunctions(configuration);

        var collection = new ServiceCollection();
        Configure(collection);
        var provider = collection.BuildServiceProvider();
        var host = await DurableTestHosts.StartAsync(
            registry =>
            {
                registry.AddOrchestrator(TaskNames.ConnectionSync, () => new ConnectionSyncOrchestrator());
                registry.AddActivity(TaskNames.BeginConnectionSync, p => p.GetRequiredService<BeginConnectionSyncActivity>());
                registry.AddActivity(TaskNames.SyncConnectionPage, p => p.GetRequiredService<SyncConnectionPageActivity>());
                registry.AddActivity(TaskNames.RecordConnectionSyncWait, p => p.GetRequiredService<RecordConnectionSyncWaitActivity>());
                registry.AddActivity(TaskNames.FinishConnectionSync, p => p.GetRequiredService<FinishConnectionSyncActivity>());
                registry.AddActivity(TaskNames.ProcessSourceAttachments, p => p.GetRequiredService<ProcessSourceAttachmentsActivity>());
                registry.AddOrchestrator(TaskNames.RfpAnalysis, () => new RfpAnalysisOrchestrator());
                registry.AddActivity(TaskNames.ExtractRfpText, p => p.GetRequiredService<ExtractRfpTextActivity>());
                registry.AddActivity(TaskNames.ExtractRfpFacts, p => p.GetRequiredService<ExtractRfpFactsActivity>());
                registry.AddActivity(TaskNames.AssessRfp, p => p.GetRequiredService<AssessRfpActivity>());
                registry.AddActivity(TaskNames.FailRfpAnalysis, p => p.GetRequiredService<FailRfpAnalysisActivity>());
            },
            new DurableTaskTestHostOptions { ConfigureServices = Configure });
        return new ConnectionTestBed(provider, host);
    }

    public static string OwnerEmailOf(string slug) => $"owner@{slug}.example.com";

    public async Task<Guid> CreateTenantAsync() => (await CreateTenantWithSlugAsync()).Tenant;

    /// <summary>A new tenant and its slug: its owner is <see cref="OwnerEmailOf"/>.</summary>
    public async Task<(Guid Tenant, string Slug)> CreateTenantWithSlugAsync()
    {
        var slug = $"conn-{Guid.NewGuid():N}"[..20];
        var created = await Get<TenantService>().CreateAsync(
            new CreateTenantRequest($"Contractor {slug}", slug, "hvac", new TenantOwner(OwnerEmailOf(slug), "Owner", "a long enough password")),
            "test", RequestOrigin.None, CancellationToken.None);
        return (created.Value!.Tenant.Id, slug);
    }

    public async Task<ConnectionView> CreateSamGovAsync(Guid tenantId, string apiKey, object? settings = null)
    {
        var created = await Connections.CreateAsync(tenantId, new CreateConnection("sam_gov", "SAM.gov HVAC",
            System.Text.Json.JsonSerializer.SerializeToElement(settings ?? new { naicsCodes = new[] { "238220" }, noticeTypes = new[] { "o", "k" } }),
            new Dictionary<string, string> { ["apiKey"] = apiKey }, "daily", true), CancellationToken.None);
        Assert.True(created.Succeeded, created.Problem?.ToString());
        return created.Value!;
    }

    /// <summary>Starts a sync through the launcher and waits for its orchestration to end; returns the sync as the status route shows it.</summary>
    public async Task<ConnectionSyncView> SyncAsync(Guid tenantId, Guid connectionId)
    {
        var started = await Get<ConnectionSyncLauncher>().StartAsync(Durable, tenantId, connectionId, "manual", CancellationToken.None);
        Assert.True(started.Succeeded, started.Problem?.ToString());
        Assert.True(started.Value.Opened);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var metadata = await Durable.WaitForInstanceCompletionAsync(ConnectionSyncLauncher.InstanceId(started.Value.Sync.Id), getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        return (await Connections.GetSyncAsync(tenantId, connectionId, started.Value.Sync.Id.ToString(), CancellationToken.None)).Value!;
    }

    public Task<int> CountLeadsAsync(Guid tenantId) =>
        Get<StreamFlowDatabase>().InTenantAsync(tenantId, scope => scope.Connection.ExecuteScalarAsync<int>(scope.Command("SELECT count(*)::int FROM leads WHERE deleted_at IS NULL")), CancellationToken.None);

    public Task<Guid> LeadOfNoticeAsync(Guid tenantId, string noticeId) =>
        Get<StreamFlowDatabase>().InTenantAsync(tenantId, scope => scope.Connection.ExecuteScalarAsync<Guid>(scope.Command(
            "SELECT lead_id FROM lead_source_links WHERE source = 'sam_gov' AND external_id = @NoticeId", new { NoticeId = noticeId })), CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _provider.DisposeAsync();
    }
}
