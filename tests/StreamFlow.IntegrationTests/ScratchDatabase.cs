using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StreamFlow.Core.Database;
using StreamFlow.Functions.Hosting;

namespace StreamFlow.IntegrationTests;

/// <summary>
/// A database of its own, migrated like the real one, for tests that need the whole database to themselves
/// (the audit chain is one global sequence that other tests append to concurrently).
/// </summary>
public sealed class ScratchDatabase : IAsyncLifetime
{
    private readonly string _name = $"streamflow_scratch_{Guid.NewGuid():N}"[..40];
    private string _adminConnectionString = "";

    public IConfiguration Configuration { get; private set; } = new ConfigurationBuilder().Build();

    public ServiceProvider Provider { get; private set; } = null!;

    public T Get<T>() where T : notnull => Provider.GetRequiredService<T>();

    public async Task InitializeAsync()
    {
        var baseConfiguration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        _adminConnectionString = baseConfiguration["STREAMFLOW_TEST_PG_ADMIN"]
            ?? throw new InvalidOperationException("STREAMFLOW_TEST_PG_ADMIN is not set: run the tests through ./test.sh.");
        await using (var admin = new NpgsqlConnection(_adminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {_name} OWNER streamflow_owner; GRANT CONNECT ON DATABASE {_name} TO streamflow_app;", admin);
            await create.ExecuteNonQueryAsync();
        }

        Configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Postgres:AppConnectionString"] = WithDatabase(baseConfiguration["Postgres:AppConnectionString"]!),
                ["Postgres:OwnerConnectionString"] = WithDatabase(baseConfiguration["Postgres:OwnerConnectionString"]!),
                ["Audit:ChainHeadBlob"] = $"audit/{_name}/chain-head.json",
            })
            .Build();
        Provider = new ServiceCollection().AddLogging().AddSingleton(Configuration).AddStreamFlowFunctions(Configuration).BuildServiceProvider();
        var migration = Get<DatabaseMigrator>().Migrate();
        if (!migration.Successful)
        {
            throw new InvalidOperationException($"Migrations failed: {migration.Error}");
        }
    }

    public async Task DisposeAsync()
    {
        await Provider.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_adminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    private string WithDatabase(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Database = _name }.ConnectionString;
}
