using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using StreamFlow.Orchestrations.Backups;

namespace StreamFlow.Functions.Backups;

/// <summary>Starts the night's backup orchestration, once per UTC day however often the timer fires.</summary>
public sealed class NightlyBackupTimer(BackupLauncher launcher, TimeProvider time, ILogger<NightlyBackupTimer> logger)
{
    [Function("NightlyBackup")]
    public async Task Run(
        [TimerTrigger("%BackupSchedule%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var start = await launcher.StartNightlyBackupAsync(durable, time.GetUtcNow(), cancellationToken);
        if (start.Started)
        {
            logger.LogInformation("Nightly backup started as {InstanceId}", start.InstanceId);
        }
        else
        {
            logger.LogInformation("Nightly backup {InstanceId} was already started today", start.InstanceId);
        }
    }
}
