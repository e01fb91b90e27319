using DbUp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StreamFlow.Core.Database;

/// <summary>Applies the forward-only SQL files of infra/db/migrations (embedded) as the owner role.</summary>
public sealed class DatabaseMigrator(IOptions<PostgresOptions> options, ILogger<DatabaseMigrator> logger)
{
    private const string MigrationsResourcePrefix = "StreamFlow.Core.Database.Migrations.";

    /// <summary>The DbUp journal table; backups leave it out and record the applied scripts instead.</summary>
    internal const string JournalTable = "schema_migrations";

    public MigrationOutcome Migrate()
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.OwnerConnectionString))
        {
            return new MigrationOutcome(false, [], "Postgres:OwnerConnectionString is not set.");
        }

        return Migrate(settings.OwnerConnectionString, static _ => true);
    }

    /// <summary>
    /// Applies the migrations whose file names pass <paramref name="include"/> to the database of
    /// <paramref name="ownerConnectionString"/> (restore applies exactly a backup's migrations to a new database).
    /// </summary>
    internal MigrationOutcome Migrate(string ownerConnectionString, Func<string, bool> include)
    {
        var engine = DeployChanges.To
            .PostgresqlDatabase(ownerConnectionString)
            .WithScriptsEmbeddedInAssembly(
                typeof(DatabaseMigrator).Assembly,
                name => name.StartsWith(MigrationsResourcePrefix, StringComparison.Ordinal) && include(ScriptName(name)))
            .WithVariable("AppRole", options.Value.AppRole)
            .JournalToPostgresqlTable("public", JournalTable)
            .WithTransactionPerScript()
            .LogTo(logger)
            .Build();

        var result = engine.PerformUpgrade();
        var applied = result.Scripts.Select(s => ScriptName(s.Name)).ToArray();
        return new MigrationOutcome(result.Successful, applied, result.Error?.Message);
    }

    /// <summary>The file names of every migration this build carries, in order.</summary>
    internal static IReadOnlyList<string> KnownMigrations() =>
        typeof(DatabaseMigrator).Assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(MigrationsResourcePrefix, StringComparison.Ordinal))
            .Select(ScriptName)
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>The file name of a migration from its resource or journal name.</summary>
    internal static string ScriptName(string name) =>
        name.StartsWith(MigrationsResourcePrefix, StringComparison.Ordinal) ? name[MigrationsResourcePrefix.Length..] : name;
}

public sealed record MigrationOutcome(bool Successful, IReadOnlyList<string> Applied, string? Error);
