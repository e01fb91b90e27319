using Microsoft.DurableTask;
using StreamFlow.Core.Backups;

namespace StreamFlow.Orchestrations.Backups;

/// <summary>Hands an alert to the configured <see cref="IBackupAlertSink"/>.</summary>
public sealed class SendBackupAlertActivity(IBackupAlertSink alerts) : TaskActivity<BackupAlert, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, BackupAlert input)
    {
        await alerts.SendAsync(input, CancellationToken.None);
        return true;
    }
}
