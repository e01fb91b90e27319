using Microsoft.DurableTask;

namespace StreamFlow.Orchestrations.Diagnostics;

/// <summary>
/// Proves the durable pipeline end to end: an activity that writes and reads Blob storage, a durable timer, and an
/// activity that round-trips PostgreSQL. Operators run it after a deployment or an incident.
/// </summary>
public sealed class PlatformSelfTestOrchestrator : TaskOrchestrator<PlatformSelfTestInput, PlatformSelfTestReport>
{
    private static readonly TaskOptions ProbeRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2));

    public override async Task<PlatformSelfTestReport> RunAsync(TaskOrchestrationContext context, PlatformSelfTestInput input)
    {
        var startedAt = context.CurrentUtcDateTime;
        var request = new ProbeRequest(context.InstanceId);

        context.SetCustomStatus(new { step = TaskNames.ProbeBlobStorage });
        var blob = await context.CallActivityAsync<ProbeResult>(TaskNames.ProbeBlobStorage, request, ProbeRetry);

        var pause = TimeSpan.FromSeconds(Math.Clamp(input.PauseSeconds, 0, 60));
        if (pause > TimeSpan.Zero)
        {
            context.SetCustomStatus(new { step = "pause" });
            await context.CreateTimer(pause, CancellationToken.None);
        }

        context.SetCustomStatus(new { step = TaskNames.ProbeDatabase });
        var database = await context.CallActivityAsync<ProbeResult>(TaskNames.ProbeDatabase, request, ProbeRetry);

        return new PlatformSelfTestReport(startedAt, context.CurrentUtcDateTime, blob.Succeeded && database.Succeeded, [blob, database]);
    }
}
