using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Email;

namespace StreamFlow.Core.Backups;

/// <summary>Emails backup alerts to the platform developers (STREAMFLOW_DEV_EMAIL) and logs them.</summary>
internal sealed class EmailBackupAlertSink(EmailSender email, IConfiguration configuration, ILogger<EmailBackupAlertSink> logger) : IBackupAlertSink
{
    public async Task SendAsync(BackupAlert alert, CancellationToken cancellationToken)
    {
        logger.LogError("Backup alert {Kind} for backup {BackupId}: {Summary}", alert.Kind, alert.BackupId, alert.Summary);
        var to = configuration["STREAMFLOW_DEV_EMAIL"];
        if (string.IsNullOrWhiteSpace(to))
        {
            return;
        }

        await email.SendAsync(new EmailMessage(
            to,
            $"StreamFlow backup alert: {alert.Kind}",
            $"{alert.Summary}\n\nBackup: {alert.BackupId ?? "(none)"}\nAt: {alert.OccurredAt:u}\n\n{string.Join("\n", alert.Details)}\n"), cancellationToken);
    }
}
