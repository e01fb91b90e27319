using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Billing.Payments;

namespace StreamFlow.Functions.Billing;

/// <summary>Reminds owners of overdue invoices and alerts the provider; safe to fire twice, each reminder is sent once.</summary>
public sealed class DunningTimer(DunningService dunning, ILogger<DunningTimer> logger)
{
    [Function("BillingDunning")]
    public async Task Run([TimerTrigger("%Billing:DunningSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var run = await dunning.RunAsync(cancellationToken);
        logger.LogInformation("Dunning: {Overdue} overdue invoices, {Reminders} reminders, {Alerts} provider alerts, {Failed} failed",
            run.Overdue, run.RemindersSent, run.ProviderAlerts, run.Failed);
    }
}
