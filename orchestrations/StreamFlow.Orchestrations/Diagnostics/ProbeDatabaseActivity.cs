using System.Diagnostics;
using Microsoft.DurableTask;
using StreamFlow.Core.Database;
using StreamFlow.Core.Diagnostics;

namespace StreamFlow.Orchestrations.Diagnostics;

/// <summary>Round-trips PostgreSQL as the application role and reports the server's view of who it is.</summary>
public sealed class ProbeDatabaseActivity(StreamFlowDatabase database) : TaskActivity<ProbeRequest, ProbeResult>
{
    public override async Task<ProbeResult> RunAsync(TaskActivityContext context, ProbeRequest input)
    {
        var started = Stopwatch.GetTimestamp();
        var identity = await database.InPlatformAsync(DatabaseProbeStore.WhoAmIAsync, CancellationToken.None);
        return new ProbeResult(TaskNames.ProbeDatabase, identity is not null, Stopwatch.GetElapsedTime(started).TotalMilliseconds, identity ?? "no answer");
    }
}
