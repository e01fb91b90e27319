using System.Diagnostics;
using Dapper;
using Microsoft.DurableTask;
using StreamFlow.Core.Database;

namespace StreamFlow.Orchestrations.Diagnostics;

/// <summary>Round-trips PostgreSQL as the application role and reports the server's view of who it is.</summary>
public sealed class ProbeDatabaseActivity(StreamFlowDatabase database) : TaskActivity<ProbeRequest, ProbeResult>
{
    private const string WhoAmISql = "SELECT current_user || ' on PostgreSQL ' || current_setting('server_version')";

    public override async Task<ProbeResult> RunAsync(TaskActivityContext context, ProbeRequest input)
    {
        var started = Stopwatch.GetTimestamp();
        var identity = await database.InPlatformAsync(
            scope => scope.Connection.ExecuteScalarAsync<string>(scope.Command(WhoAmISql)), CancellationToken.None);
        return new ProbeResult(TaskNames.ProbeDatabase, identity is not null, Stopwatch.GetElapsedTime(started).TotalMilliseconds, identity ?? "no answer");
    }
}
