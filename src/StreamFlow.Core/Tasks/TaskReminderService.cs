using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;
using StreamFlow.Core.Email;
using StreamFlow.Core.Settings;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.Core.Tasks;

/// <summary>Task settings (section <c>Tasks</c>).</summary>
public sealed class TaskOptions
{
    public const string Section = "Tasks";

    /// <summary>How long before its due time an open, assigned task's assignee is emailed.</summary>
    public TimeSpan RemindBefore { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Reminders claimed per tenant per timer run; the rest wait for the next run.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>Six-field CRON of the reminder timer (read by the hosts as %Tasks:ReminderSchedule%).</summary>
    public string ReminderSchedule { get; set; } = "0 * * * * *";
}

public sealed record TaskReminderRun(int Tenants, int Reminded, int TenantsFailed);

/// <summary>
/// Emails assignees the tasks that fall due soon. A reminder is claimed (<c>reminder_sent_at</c>) in the same
/// transaction that reads it, so however often or concurrently the timer fires each due time is reminded once; the
/// mail then leaves through the email outbox.
/// </summary>
public sealed class TaskReminderService(
    StreamFlowDatabase database, EmailOutbox email, IOptions<TaskOptions> options, TimeProvider timeProvider, ILogger<TaskReminderService> logger)
{
    public async Task<TaskReminderRun> SendDueAsync(CancellationToken cancellationToken)
    {
        var tenantIds = await database.InPlatformAsync(TenantStore.ActiveIdsAsync, cancellationToken);
        var (reminded, failed) = (0, 0);
        foreach (var tenantId in tenantIds)
        {
            try
            {
                reminded += await SendDueForTenantAsync(tenantId, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                failed++;
                logger.LogError(exception, "Task reminders for tenant {TenantId} failed", tenantId);
            }
        }

        return new TaskReminderRun(tenantIds.Count, reminded, failed);
    }

    internal async Task<int> SendDueForTenantAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var (claimed, zone) = await database.InTenantAsync(tenantId, async scope =>
        {
            var settings = await TenantSettingsService.ReadAsync(scope);
            var rows = await TaskStore.ClaimRemindersAsync(scope, now + options.Value.RemindBefore, now, options.Value.BatchSize);
            return (rows, TimeZoneInfo.FindSystemTimeZoneById(settings.TimeZone));
        }, cancellationToken);
        foreach (var row in claimed)
        {
            var message = Compose(tenantId, row, zone);
            if (!email.Enqueue(_ => Task.FromResult<EmailMessage?>(message)))
            {
                logger.LogWarning("Task reminder {TaskId} could not be queued: the email outbox is full", row.Id);
            }
        }

        return claimed.Count;
    }

    private static EmailMessage Compose(Guid tenantId, TaskReminderRow row, TimeZoneInfo zone)
    {
        var due = TimeZoneInfo.ConvertTime(row.DueAt, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        var urgent = row.Priority == "urgent" ? "[urgent] " : "";
        var lead = row.LeadId is { } leadId ? $"\nLead: /api/v1/leads/{leadId}" : "";
        return new EmailMessage(row.Email, $"{urgent}Task due {due}: {row.Title}",
            $"Hello {row.Name},\n\nThe task \"{row.Title}\" is due {due} ({zone.Id}).{lead}\nTask: /api/v1/tasks/{row.Id}\n", BrandTenantId: tenantId);
    }
}
