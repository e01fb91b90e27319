using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Health;

namespace StreamFlow.Functions.Health;

/// <summary>Records a health check on a schedule so that developers can see when a dependency went away.</summary>
public sealed class HeartbeatTimer(HealthService health, HeartbeatStore heartbeats, ILogger<HeartbeatTimer> logger)
{
    [Function("PlatformHeartbeat")]
    public async Task Run(
        [TimerTrigger("%HeartbeatSchedule%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var report = await health.CheckAsync([DurableHealthProbe.For(durable)], cancellationToken);
        await heartbeats.RecordAsync(report, cancellationToken);
        logger.LogInformation("Heartbeat recorded with status {Status}", report.Status);
    }
}
