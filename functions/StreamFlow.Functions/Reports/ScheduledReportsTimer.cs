using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Reports;

namespace StreamFlow.Functions.Reports;

/// <summary>Sends the reports that are due; safe to fire twice, each (user, period) is sent once.</summary>
public sealed class ScheduledReportsTimer(ReportDeliveryService delivery, ILogger<ScheduledReportsTimer> logger)
{
    [Function("SendScheduledReports")]
    public async Task Run([TimerTrigger("%ReportsSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var run = await delivery.SendDueAsync(cancellationToken);
        logger.LogInformation("Scheduled reports: {Tenants} tenants checked, {Sent} sent, {Failed} failed, {TenantsFailed} tenants failed",
            run.TenantsChecked, run.Sent, run.Failed, run.TenantsFailed);
    }
}
