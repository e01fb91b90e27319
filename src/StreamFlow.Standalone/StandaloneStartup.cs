using StreamFlow.Core.Database;
using DurableCore = DurableTask.Core;

namespace StreamFlow.Standalone;

internal static class StandaloneStartup
{
    /// <summary>Applies pending migrations as the owner role; 0 when the schema is current.</summary>
    public static int Migrate(IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("StreamFlow.Migrations");
        var outcome = services.GetRequiredService<DatabaseMigrator>().Migrate();
        if (!outcome.Successful)
        {
            logger.LogCritical("Database migration failed: {Error}", outcome.Error);
            return 1;
        }

        logger.LogInformation("Database schema is current ({Count} migrations applied now)", outcome.Applied.Count);
        return 0;
    }

    /// <summary>Creates the task hub before serving: the sidecar starts the backend but does not wait for it.</summary>
    public static async Task PrepareDurableBackendAsync(IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("StreamFlow.Durable");
        var backend = services.GetRequiredService<DurableCore.IOrchestrationService>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await backend.CreateIfNotExistsAsync();
                return;
            }
            catch (Exception exception) when (DateTime.UtcNow < deadline)
            {
                logger.LogWarning(exception, "The durable backend is not reachable yet; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }
}
