using Dapper;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Privacy;
using StreamFlow.Core.Rfps;
using StreamFlow.Core.Tenancy;
using StreamFlow.Functions.Hosting;
using StreamFlow.IntegrationTests.Ai;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Rfps;

namespace StreamFlow.IntegrationTests.Rfps;

/// <summary>
/// The real services (PostgreSQL, Azurite, the AI gateway pointed at a local fake when asked) and the real RFP
/// orchestration in a DurableTaskTestHost, on a clock set to mid-January 2027 so deadlines in the sample are ahead.
/// </summary>
internal sealed class RfpTestBed : IAsyncDisposable
{
    public static readonly DateTimeOffset Now = new(2027, 1, 15, 15, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _provider;
    private readonly DurableTaskTestHost _host;

    private RfpTestBed(ServiceProvider provider, DurableTaskTestHost host)
    {
        _provider = provider;
        _host = host;
    }

    public RfpService Rfps => _provider.GetRequiredService<RfpService>();

    public StreamFlowDatabase Database => _provider.GetRequiredService<StreamFlowDatabase>();

    public T Get<T>() where T : notnull => _provider.GetRequiredService<T>();

    /// <param name="fakeAiBaseUrl">A fake OpenAI-compatible server to route AI calls to; none leaves AI unconfigured.</param>
    public static async Task<RfpTestBed> StartAsync(TestServices services, string? fakeAiBaseUrl = null)
    {
        var settings = new Dictionary<string, string?>();
        if (fakeAiBaseUrl is not null)
        {
            settings["Ai:Deployments:0:Name"] = "fake";
            settings["Ai:Deployments:0:Endpoint"] = fakeAiBaseUrl;
            settings["Ai:Deployments:0:ApiKey"] = "sk-test";
            settings["Ai:Deployments:0:Model"] = AiGatewayHost.Model;
            settings["Ai:Prices:0:Model"] = AiGatewayHost.Model;
            settings["Ai:Prices:0:InputPerMillion"] = "10";
            settings["Ai:Prices:0:OutputPerMillion"] = "30";
            settings["Ai:Resilience:MaxRetryAttempts"] = "0";
        }

        var configuration = new ConfigurationBuilder().AddConfiguration(services.Configuration).AddInMemoryCollection(settings).Build();
        void Configure(IServiceCollection collection) => collection
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddStreamFlowFunctions(configuration)
            .AddSingleton<TimeProvider>(new FakeTimeProvider(Now));

        var collection = new ServiceCollection();
        Configure(collection);
        var provider = collection.BuildServiceProvider();
        var host = await DurableTestHosts.StartAsync(
            registry =>
            {
                registry.AddOrchestrator(TaskNames.RfpAnalysis, () => new RfpAnalysisOrchestrator());
                registry.AddActivity(TaskNames.ExtractRfpText, p => p.GetRequiredService<ExtractRfpTextActivity>());
                registry.AddActivity(TaskNames.ExtractRfpFacts, p => p.GetRequiredService<ExtractRfpFactsActivity>());
                registry.AddActivity(TaskNames.AssessRfp, p => p.GetRequiredService<AssessRfpActivity>());
                registry.AddActivity(TaskNames.FailRfpAnalysis, p => p.GetRequiredService<FailRfpAnalysisActivity>());
            },
            new DurableTaskTestHostOptions { ConfigureServices = Configure });
        return new RfpTestBed(provider, host);
    }

    public async Task<Guid> CreateTenantAsync()
    {
        var slug = $"rfp-{Guid.NewGuid():N}"[..20];
        var created = await Get<TenantService>().CreateAsync(
            new CreateTenantRequest($"RFP {slug}", slug, "hvac", new TenantOwner($"owner@{slug}.example.com", "Owner", "a long enough password")),
            "test", RequestOrigin.None, CancellationToken.None);
        return created.Value!.Tenant.Id;
    }

    /// <summary>A decided lead: won with an amount, or lost with a reason; its notes (sealed, as the lead service stores them) say what the work was.</summary>
    public async Task AddDecidedLeadAsync(Guid tenantId, string notes, decimal? wonAmount, string? lostReason = null)
    {
        var id = Guid.CreateVersion7();
        var sealedNotes = PersonalFields.SealLead(await Get<TenantKeyring>().ForTenantAsync(tenantId, CancellationToken.None), id, null, null, notes);
        await Database.InTenantAsync(tenantId, scope => scope.Connection.ExecuteAsync(scope.Command("""
            INSERT INTO leads (id, tenant_id, company, notes_sealed, notes_terms, personal_key_version, stage, outcome, won_amount, won_currency, lost_reason,
                               outcome_at, created_at, updated_at)
            VALUES (@Id, @TenantId, 'Past client', @NotesSealed, @NotesTerms, @KeyVersion, @Outcome, @Outcome, @WonAmount,
                    CASE WHEN @WonAmount IS NULL THEN NULL ELSE 'USD' END, @LostReason, @Now, @Now, @Now)
            """, new
        {
            Id = id, TenantId = tenantId, sealedNotes.NotesSealed, sealedNotes.NotesTerms, sealedNotes.KeyVersion, Outcome = wonAmount is null ? "lost" : "won",
            WonAmount = wonAmount, LostReason = lostReason, Now = Now.AddMonths(-3),
        })), CancellationToken.None);
    }

    /// <summary>Uploads through the service, runs the orchestration to its end and reads the RFP back.</summary>
    public async Task<RfpView> AnalyzeAsync(Guid tenantId, byte[] content, string contentType, string fileName)
    {
        var started = await Rfps.StartAsync(tenantId, "user:test", new RfpUpload(new MemoryStream(content), contentType, fileName, content.Length), CancellationToken.None);
        Assert.True(started.Succeeded, started.Problem?.Detail);
        var instance = await _host.Client.ScheduleNewOrchestrationInstanceAsync(TaskNames.RfpAnalysis, new RfpAnalysisInput(tenantId, started.Value),
            new Microsoft.DurableTask.StartOrchestrationOptions($"rfp-{started.Value:N}"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var metadata = await _host.Client.WaitForInstanceCompletionAsync(instance, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, metadata.RuntimeStatus);
        var view = await Rfps.GetAsync(tenantId, started.Value, CancellationToken.None);
        return view.Value!;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _provider.DisposeAsync();
    }
}
