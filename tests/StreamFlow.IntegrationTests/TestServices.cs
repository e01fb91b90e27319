using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StreamFlow.Core.Database;
using StreamFlow.Functions.Hosting;

namespace StreamFlow.IntegrationTests;

/// <summary>
/// The real services ./test.sh starts, reached through the same settings the app reads. A missing setting fails the
/// test with the reason: these tests never skip because a service is down.
/// </summary>
public sealed class TestServices : IDisposable
{
    private static readonly string[] RequiredSettings =
        ["Postgres__AppConnectionString", "Postgres__OwnerConnectionString", "AzureWebJobsStorage"];

    public TestServices()
    {
        var missing = RequiredSettings.Where(name => string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(name))).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"Integration tests need {string.Join(", ", missing)}: run them through ./test.sh, which starts PostgreSQL and Azurite.");
        }

        // The in-process durable hosts of these tests run no outbox listener, and the work they leave in the outbox
        // belongs to a hub no host serves: otherwise they and the end-to-end host (same database, same Durable:TaskHub)
        // would start each other's imports and analyses on backends that do not know them.
        Configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["WorkOutbox:TaskHub"] = "IntegrationTests",
                ["WorkOutbox:ListenForNotifications"] = "false",
            })
            .Build();
        Provider = new ServiceCollection()
            .AddLogging()
            .AddSingleton(Configuration)
            .AddStreamFlowFunctions(Configuration)
            .BuildServiceProvider();

        var migration = Provider.GetRequiredService<DatabaseMigrator>().Migrate();
        if (!migration.Successful)
        {
            throw new InvalidOperationException($"Migrations failed: {migration.Error}");
        }
    }

    public IConfiguration Configuration { get; }

    public ServiceProvider Provider { get; }

    public T Get<T>() where T : notnull => Provider.GetRequiredService<T>();

    public void Dispose() => Provider.Dispose();
}

[CollectionDefinition(Name)]
public sealed class ServicesCollection : ICollectionFixture<TestServices>
{
    public const string Name = "real services";
}
