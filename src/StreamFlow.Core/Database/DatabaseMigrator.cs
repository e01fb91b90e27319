using DbUp;
using DbUp.Engine;
using DbUp.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace StreamFlow.Core.Database;

/// <summary>
/// Applies the forward-only SQL files of infra/db/migrations (embedded) as the owner role, then re-applies every
/// function of infra/db/functions and view of infra/db/views (run-always), so each has one current definition.
/// </summary>
public sealed class DatabaseMigrator(IOptions<PostgresOptions> options, ILogger<DatabaseMigrator> logger)
{
    private const string MigrationsResourcePrefix = "StreamFlow.Core.Database.Migrations.";
    internal const string FunctionsResourcePrefix = "StreamFlow.Core.Database.Functions.";
    internal const string ViewsResourcePrefix = "StreamFlow.Core.Database.Views.";

    /// <summary>The DbUp journal table; backups leave it out and record the applied scripts instead.</summary>
    internal const string JournalTable = "schema_migrations";

    public MigrationOutcome Migrate()
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.OwnerConnectionString))
        {
            return new MigrationOutcome(false, [], "Postgres:OwnerConnectionString is not set.");
        }

        return Migrate(settings.OwnerConnectionString, static _ => true, definitions: true);
    }

    /// <summary>
    /// Applies the migrations whose file names pass <paramref name="include"/> to the database of
    /// <paramref name="ownerConnectionString"/>, then, with <paramref name="definitions"/>, the functions and views.
    /// Restore applies exactly a backup's migrations without them: today's definitions may read newer tables.
    /// </summary>
    internal MigrationOutcome Migrate(string ownerConnectionString, Func<string, bool> include, bool definitions)
    {
        var assembly = typeof(DatabaseMigrator).Assembly;
        var builder = DeployChanges.To
            .PostgresqlDatabase(ownerConnectionString)
            .WithScriptsEmbeddedInAssembly(
                assembly,
                name => name.StartsWith(MigrationsResourcePrefix, StringComparison.Ordinal) && include(ScriptName(name)),
                new SqlScriptOptions { ScriptType = ScriptType.RunOnce, RunGroupOrder = 1 });
        if (definitions)
        {
            // Functions before views (a view may read a function); each group in file-name order.
            builder = builder
                .WithScriptsEmbeddedInAssembly(
                    assembly,
                    name => name.StartsWith(FunctionsResourcePrefix, StringComparison.Ordinal),
                    new SqlScriptOptions { ScriptType = ScriptType.RunAlways, RunGroupOrder = 2 })
                .WithScriptsEmbeddedInAssembly(
                    assembly,
                    name => name.StartsWith(ViewsResourcePrefix, StringComparison.Ordinal),
                    new SqlScriptOptions { ScriptType = ScriptType.RunAlways, RunGroupOrder = 3 });
        }

        var engine = builder
            .WithVariable("AppRole", options.Value.AppRole)
            .JournalToPostgresqlTable("public", JournalTable)
            .WithTransactionPerScript()
            .LogTo(logger)
            .Build();

        // Hosts that start together would each create the same tables (42P07); the second waits here, then finds
        // the journal complete.
        using var gate = new NpgsqlConnection(ownerConnectionString);
        gate.Open();
        MigrationLockStore.Take(gate);

        DatabaseUpgradeResult result;
        try
        {
            result = engine.PerformUpgrade();
        }
        finally
        {
            MigrationLockStore.Release(gate);
        }

        var applied = result.Scripts
            .Where(s => s.SqlScriptOptions.ScriptType == ScriptType.RunOnce)
            .Select(s => ScriptName(s.Name))
            .ToArray();
        return new MigrationOutcome(result.Successful, applied, result.Error?.Message);
    }

    /// <summary>The file names of every migration this build carries, in order.</summary>
    internal static IReadOnlyList<string> KnownMigrations() =>
        typeof(DatabaseMigrator).Assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(MigrationsResourcePrefix, StringComparison.Ordinal))
            .Select(ScriptName)
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>The function and view files this build carries, by file name (functions/x.sql, views/y.sql), with their SQL.</summary>
    internal static IReadOnlyDictionary<string, string> KnownDefinitions()
    {
        var assembly = typeof(DatabaseMigrator).Assembly;
        var definitions = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            var folder = name.StartsWith(FunctionsResourcePrefix, StringComparison.Ordinal) ? "functions"
                : name.StartsWith(ViewsResourcePrefix, StringComparison.Ordinal) ? "views"
                : null;
            if (folder is null)
            {
                continue;
            }

            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            var prefix = folder == "functions" ? FunctionsResourcePrefix : ViewsResourcePrefix;
            definitions[$"{folder}/{name[prefix.Length..]}"] = reader.ReadToEnd();
        }

        return definitions;
    }

    /// <summary>The file name of a migration from its resource or journal name.</summary>
    internal static string ScriptName(string name) =>
        name.StartsWith(MigrationsResourcePrefix, StringComparison.Ordinal) ? name[MigrationsResourcePrefix.Length..] : name;
}

public sealed record MigrationOutcome(bool Successful, IReadOnlyList<string> Applied, string? Error);
