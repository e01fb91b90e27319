using Azure.Core;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using StreamFlow.Core.Ai;
using StreamFlow.Core.Database;

namespace StreamFlow.IntegrationTests.Ai;

/// <summary>
/// The AI services wired as the app wires them (AddAi), over the real database, pointed at local fake upstreams.
/// Each host runs on a fake clock set to a month of its own, so provider-wide counters of one test never meet another's.
/// </summary>
internal sealed class AiGatewayHost : IAsyncDisposable
{
    public const string Model = "gpt-test";
    public const string FallbackModel = "gpt-test-fallback";

    // USD per million tokens: high enough that small fake calls move the budgets visibly.
    public const decimal InputPerMillion = 10m;
    public const decimal CachedInputPerMillion = 5m;
    public const decimal OutputPerMillion = 30m;

    private readonly ServiceProvider _provider;

    private AiGatewayHost(ServiceProvider provider, FakeTimeProvider time)
    {
        _provider = provider;
        Time = time;
    }

    public FakeTimeProvider Time { get; }

    public AiGateway Gateway => _provider.GetRequiredService<AiGateway>();

    public AiBudgetService Budget => _provider.GetRequiredService<AiBudgetService>();

    public AiUsageService Usage => _provider.GetRequiredService<AiUsageService>();

    public StreamFlowDatabase Database => _provider.GetRequiredService<StreamFlowDatabase>();

    /// <param name="upstreams">Deployment name and base URL, primary first.</param>
    public static AiGatewayHost Start(
        TestServices services,
        IReadOnlyList<(string Name, string BaseUrl)> upstreams,
        IReadOnlyDictionary<string, string?>? settings = null,
        IAiBudgetAlertSink? alertSink = null,
        TokenCredential? azureCredential = null)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Ai:Prices:0:Model"] = Model,
            ["Ai:Prices:0:InputPerMillion"] = InputPerMillion.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ai:Prices:0:CachedInputPerMillion"] = CachedInputPerMillion.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ai:Prices:0:OutputPerMillion"] = OutputPerMillion.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ai:Prices:1:Model"] = FallbackModel,
            ["Ai:Prices:1:InputPerMillion"] = "1",
            ["Ai:Prices:1:OutputPerMillion"] = "2",
            ["Ai:Resilience:MaxRetryAttempts"] = "0",
        };
        for (var i = 0; i < upstreams.Count; i++)
        {
            configuration[$"Ai:Deployments:{i}:Name"] = upstreams[i].Name;
            configuration[$"Ai:Deployments:{i}:Endpoint"] = upstreams[i].BaseUrl;
            configuration[$"Ai:Deployments:{i}:ApiKey"] = "sk-test";
            configuration[$"Ai:Deployments:{i}:Model"] = i == 0 ? Model : FallbackModel;
            if (i > 0)
            {
                configuration[$"Ai:FallbackDeployments:{i - 1}"] = upstreams[i].Name;
            }
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        var config = new ConfigurationBuilder().AddInMemoryCollection(configuration).Build();
        var time = new FakeTimeProvider(UniqueMonth());
        // A pool smaller than the server's connection limit: 100 concurrent calls queue for connections, as in production.
        var connections = new NpgsqlConnectionStringBuilder(services.Configuration["Postgres:AppConnectionString"]) { MaxPoolSize = 20 };
        var collection = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(time)
            .AddSingleton(NpgsqlDataSource.Create(connections.ConnectionString))
            .AddSingleton<StreamFlowDatabase>();
        if (alertSink is not null)
        {
            collection.AddSingleton(alertSink);
        }

        if (azureCredential is not null)
        {
            collection.AddKeyedSingleton(AiOptions.Section, azureCredential);
        }

        collection.AddAi(config);
        return new AiGatewayHost(collection.BuildServiceProvider(), time);
    }

    public async Task<Guid> CreateTenantAsync(AiTenantBudget? budget = null)
    {
        var tenant = Guid.CreateVersion7();
        await Database.InPlatformAsync(scope => scope.Connection.ExecuteAsync(scope.Command(
            "INSERT INTO tenants (id, slug, name, industry) VALUES (@tenant, @slug, 'AI test tenant', 'hvac')",
            new { tenant, slug = $"ai-{tenant:N}" })), CancellationToken.None);
        if (budget is not null)
        {
            var set = await Budget.SetTenantBudgetAsync(tenant, budget, CancellationToken.None);
            Assert.True(set.Succeeded, set.Problem?.Detail);
        }

        return tenant;
    }

    public Task<T> InTenantAsync<T>(Guid tenant, string sql, object? parameters = null) =>
        Database.InTenantAsync(tenant, scope => scope.Connection.ExecuteScalarAsync<T>(scope.Command(sql, parameters)), CancellationToken.None)!;

    public static AiRequest Request(Guid tenant, string prompt, int maxOutputTokens = 100, float temperature = 0.7f, string feature = AiFeatures.Scoring) =>
        new(tenant, null, feature, [new AiMessage(AiMessageRole.System, "You score sales leads."), new AiMessage(AiMessageRole.User, prompt)],
            maxOutputTokens, temperature);

    public async ValueTask DisposeAsync()
    {
        await _provider.GetRequiredService<NpgsqlDataSource>().DisposeAsync();
        await _provider.DisposeAsync();
    }

    // Noon on the 10th of a random month between the years 2100 and 7000: far from any other test's month.
    private static DateTimeOffset UniqueMonth() =>
        new(2100 + Random.Shared.Next(0, 4900), Random.Shared.Next(1, 13), 10, 12, 0, 0, TimeSpan.Zero);
}

/// <summary>Keeps the budget warnings the gateway publishes.</summary>
internal sealed class RecordingAlertSink : IAiBudgetAlertSink
{
    private readonly List<AiBudgetAlert> _alerts = [];

    public IReadOnlyList<AiBudgetAlert> Alerts
    {
        get
        {
            lock (_alerts)
            {
                return [.. _alerts];
            }
        }
    }

    public Task PublishAsync(AiBudgetAlert alert, CancellationToken cancellationToken)
    {
        lock (_alerts)
        {
            _alerts.Add(alert);
        }

        return Task.CompletedTask;
    }
}
