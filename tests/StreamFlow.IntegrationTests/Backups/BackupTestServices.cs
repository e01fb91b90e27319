using Azure.Storage.Blobs;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StreamFlow.Core.Backups;
using StreamFlow.Core.Database;
using StreamFlow.Functions.Hosting;

namespace StreamFlow.IntegrationTests.Backups;

/// <summary>
/// The real services with a blob container of their own, so that retention in one test never deletes another test's
/// backups, and with the alerts recorded.
/// </summary>
internal sealed class BackupTestServices : IAsyncDisposable
{
    private readonly Action<IServiceCollection>? _configure;

    public BackupTestServices(
        TestServices services, IReadOnlyDictionary<string, string?>? settings = null, string? container = null, Action<IServiceCollection>? configure = null)
    {
        _configure = configure;
        Container = container ?? $"backups-test-{Guid.NewGuid():N}";
        var overrides = new Dictionary<string, string?> { ["Backups:Container"] = Container };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            overrides[key] = value;
        }

        Configuration = new ConfigurationBuilder().AddConfiguration(services.Configuration).AddInMemoryCollection(overrides).Build();
        Provider = Register(new ServiceCollection()).BuildServiceProvider();
    }

    public string Container { get; }

    public IConfiguration Configuration { get; }

    public RecordingBackupAlertSink Alerts { get; } = new();

    public ServiceProvider Provider { get; }

    public T Get<T>() where T : notnull => Provider.GetRequiredService<T>();

    /// <summary>The same registrations, for a DurableTaskTestHost's service collection.</summary>
    public IServiceCollection Register(IServiceCollection collection)
    {
        collection.AddLogging()
            .AddSingleton(Configuration)
            .AddSingleton<IBackupAlertSink>(Alerts)
            .AddStreamFlowFunctions(Configuration);
        _configure?.Invoke(collection);
        return collection;
    }

    public async Task<(Guid TenantA, Guid TenantB)> CreateTwoTenantsWithSettingsAsync()
    {
        var database = Get<StreamFlowDatabase>();
        var tenants = (Guid.CreateVersion7(), Guid.CreateVersion7());
        foreach (var (tenant, zone) in new[] { (tenants.Item1, "Europe/Berlin"), (tenants.Item2, "America/Denver") })
        {
            await database.InPlatformAsync(scope => scope.Connection.ExecuteAsync(scope.Command(
                "INSERT INTO tenants (id, slug, name, industry) VALUES (@tenant, @slug, 'Backup test tenant', 'hvac')",
                new { tenant, slug = $"b-{tenant:N}" })), CancellationToken.None);
            await database.InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync(scope.Command(
                "INSERT INTO tenant_settings (tenant_id, time_zone, settings) VALUES (@tenant, @zone, CAST(@settings AS jsonb))",
                new { tenant, zone, settings = $$"""{"owner": "{{tenant}}", "hours": [8, 17]}""" })), CancellationToken.None);
        }

        return tenants;
    }

    public async ValueTask DisposeAsync()
    {
        await Get<BlobServiceClient>().GetBlobContainerClient(Container).DeleteIfExistsAsync();
        await Provider.DisposeAsync();
    }
}

internal sealed class RecordingBackupAlertSink : IBackupAlertSink
{
    private readonly List<BackupAlert> _alerts = [];

    public IReadOnlyList<BackupAlert> Alerts
    {
        get
        {
            lock (_alerts)
            {
                return [.. _alerts];
            }
        }
    }

    public Task SendAsync(BackupAlert alert, CancellationToken cancellationToken)
    {
        lock (_alerts)
        {
            _alerts.Add(alert);
        }

        return Task.CompletedTask;
    }
}
