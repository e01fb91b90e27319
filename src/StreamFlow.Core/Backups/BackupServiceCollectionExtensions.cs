using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Backups;

public static class BackupServiceCollectionExtensions
{
    /// <summary>Registers backups, restores, verification and retention.</summary>
    public static IServiceCollection AddBackups(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BackupOptions>()
            .Bind(configuration.GetSection(BackupOptions.Section))
            .Validate(o => o.ChunkSizeBytes is >= 64 * 1024 and <= 16 * 1024 * 1024, "Backups:ChunkSizeBytes must be between 64 KiB and 16 MiB.")
            .Validate(o => o.Retention.Daily >= 1 && o.Retention.Weekly >= 0 && o.Retention.Monthly >= 0,
                "Backups:Retention needs Daily >= 1 and Weekly, Monthly >= 0.")
            .Validate(o => Enum.IsDefined(o.Compression), "Backups:Compression must be NoCompression, Fastest, Optimal or SmallestSize.");
        services.AddOptions<BackupDatabaseOptions>().Bind(configuration.GetSection(PostgresOptions.Section));

        // Resolved on first use: a host without backup keys runs everything else.
        services.AddSingleton(provider => BackupKeyRing.From(provider.GetRequiredService<IOptions<BackupOptions>>().Value));
        services.AddSingleton<BackupConnections>();
        services.AddSingleton<BackupStorage>();
        services.AddSingleton<BackupHistoryStore>();
        services.AddSingleton<DatabaseSnapshotter>();
        services.AddSingleton<DatabaseBackupService>();
        services.AddSingleton<DatabaseRestoreService>();
        services.AddSingleton<BackupVerificationService>();
        services.AddSingleton<BackupRetentionService>();
        services.AddSingleton<BackupRestoreValidator>();
        services.TryAddSingleton<IBackupAlertSink, LoggingBackupAlertSink>();
        return services;
    }
}
