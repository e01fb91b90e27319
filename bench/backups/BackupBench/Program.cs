using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Backups;
using StreamFlow.Core.Database;
using StreamFlow.Core.Hosting;

// The StreamFlow side of bench/backups/run.sh: the same services the app runs, configured from the environment the
// script exports. Each command prints one JSON line of figures.
//   BackupBench migrate | backup | verify <backup id>
var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
await using var services = new ServiceCollection()
    .AddLogging(logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning))
    .AddSingleton<IConfiguration>(configuration)
    .AddStreamFlowCore(configuration)
    .BuildServiceProvider();

var command = args.FirstOrDefault() ?? "";
switch (command)
{
    case "migrate":
        var migration = services.GetRequiredService<DatabaseMigrator>().Migrate();
        Print(new { migration.Successful, migration.Applied, migration.Error });
        return migration.Successful ? 0 : 1;

    case "backup":
        var started = Stopwatch.GetTimestamp();
        var manifest = await services.GetRequiredService<DatabaseBackupService>()
            .TakeAsync(BackupId.Create(DateTimeOffset.UtcNow, Guid.NewGuid()), CancellationToken.None);
        Print(new
        {
            manifest.BackupId,
            Seconds = Stopwatch.GetElapsedTime(started).TotalSeconds,
            Rows = manifest.TotalRows,
            manifest.PlaintextBytes,
            manifest.CiphertextBytes,
        });
        return 0;

    case "verify" when args.Length == 2:
        var verification = await services.GetRequiredService<BackupVerificationService>()
            .VerifyAsync(Guid.NewGuid(), args[1], CancellationToken.None);
        Print(new
        {
            verification.Succeeded,
            RestoreSeconds = verification.RestoreMilliseconds / 1000,
            VerifySeconds = verification.VerifyMilliseconds / 1000,
            verification.RowsChecked,
            verification.Problems,
        });
        return verification.Succeeded ? 0 : 1;

    default:
        Console.Error.WriteLine("usage: BackupBench migrate | backup | verify <backup id>");
        return 2;
}

static void Print(object figures) => Console.WriteLine(JsonSerializer.Serialize(figures));
