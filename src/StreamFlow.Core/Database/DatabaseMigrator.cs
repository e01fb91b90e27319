using DbUp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StreamFlow.Core.Database;

/// <summary>Applies the forward-only SQL files of infra/db/migrations (embedded) as the owner role.</summary>
public sealed class DatabaseMigrator(IOptions<PostgresOptions> options, ILogger<DatabaseMigrator> logger)
{
    private const string MigrationsResourcePrefix = "StreamFlow.Core.Database.Migrations.";

    public MigrationOutcome Migrate()
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.OwnerConnectionString))
        {
            return new MigrationOutcome(false, [], "Postgres:OwnerConnectionString is not set.");
        }

        var engine = DeployChanges.To
            .PostgresqlDatabase(settings.OwnerConnectionString)
            .WithScriptsEmbeddedInAssembly(typeof(DatabaseMigrator).Assembly, name => name.StartsWith(MigrationsResourcePrefix, StringComparison.Ordinal))
            .WithVariable("AppRole", settings.AppRole)
            .JournalToPostgresqlTable("public", "schema_migrations")
            .WithTransactionPerScript()
            .LogTo(logger)
            .Build();

        var result = engine.PerformUpgrade();
        var applied = result.Scripts.Select(s => s.Name[MigrationsResourcePrefix.Length..]).ToArray();
        return new MigrationOutcome(result.Successful, applied, result.Error?.Message);
    }
}

public sealed record MigrationOutcome(bool Successful, IReadOnlyList<string> Applied, string? Error);
