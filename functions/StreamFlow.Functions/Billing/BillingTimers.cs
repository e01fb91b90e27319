using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Billing.Metering;
using StreamFlow.Orchestrations.Billing;

namespace StreamFlow.Functions.Billing;

/// <summary>Starts the billing runs that are due; safe to fire often, each (client, period) runs once.</summary>
public sealed class BillingCycleTimer(BillingRunLauncher launcher, ILogger<BillingCycleTimer> logger)
{
    [Function("StartDueBillingRuns")]
    public async Task Run(
        [TimerTrigger("%Billing:CycleSchedule%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var run = await launcher.StartDueAsync(durable, cancellationToken);
        logger.LogInformation("Billing cycle: {Due} runs due, {Started} started", run.Due, run.Started);
    }
}

/// <summary>Collects yesterday's usage of every active client and applies the AI markup of today's prices.</summary>
public sealed class UsageMeteringTimer(UsageCollector collector, ILogger<UsageMeteringTimer> logger)
{
    [Function("CollectDailyUsage")]
    public async Task Run([TimerTrigger("%Billing:MeteringSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var run = await collector.CollectYesterdayAsync(cancellationToken);
        logger.LogInformation("Usage metering for {Day}: {Tenants} clients, {Events} events, {Markups} markups applied, {Failed} failed",
            run.Day, run.Tenants, run.EventsRecorded, run.MarkupsApplied, run.TenantsFailed);
    }
}
