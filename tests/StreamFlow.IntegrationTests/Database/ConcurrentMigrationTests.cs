using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamFlow.Core.Database;

namespace StreamFlow.IntegrationTests.Database;

/// <summary>Two hosts starting together on an empty database: both migrate, the tables are created once.</summary>
public sealed class ConcurrentMigrationTests
{
    [Fact]
    public async Task Two_migrators_starting_at_once_on_an_empty_database_both_succeed_and_apply_each_migration_once()
    {
        var environment = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var adminConnection = environment["STREAMFLOW_TEST_PG_ADMIN"] ?? throw new InvalidOperationException("Run the tests through ./test.sh.");
        var name = $"streamflow_migrate_{Guid.NewGuid():N}"[..40];
        await ExecuteAsync(adminConnection, $"CREATE DATABASE {name} OWNER streamflow_owner");
        try
        {
            var options = Options.Create(new PostgresOptions
            {
                OwnerConnectionString = new NpgsqlConnectionStringBuilder(environment["Postgres:OwnerConnectionString"]) { Database = name }.ConnectionString,
            });
            var outcomes = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => new DatabaseMigrator(options, NullLogger<DatabaseMigrator>.Instance).Migrate())));

            Assert.All(outcomes, outcome => Assert.True(outcome.Successful, outcome.Error));
            var applied = outcomes.SelectMany(outcome => outcome.Applied).ToList();
            Assert.Equal(DatabaseMigrator.KnownMigrations().Order(StringComparer.Ordinal), applied.Order(StringComparer.Ordinal));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(adminConnection, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
