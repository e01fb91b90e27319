using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Tasks;

namespace StreamFlow.Functions.Tasks;

/// <summary>Emails the reminders of tasks falling due; safe to fire twice, each due time is reminded once.</summary>
public sealed class TaskReminderTimer(TaskReminderService reminders, ILogger<TaskReminderTimer> logger)
{
    [Function("SendTaskReminders")]
    public async Task Run([TimerTrigger("%Tasks:ReminderSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var run = await reminders.SendDueAsync(cancellationToken);
        logger.LogInformation("Task reminders: {Tenants} tenants checked, {Reminded} reminded, {TenantsFailed} tenants failed",
            run.Tenants, run.Reminded, run.TenantsFailed);
    }
}
