using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamFlow.Core.Database;
using StreamFlow.Core.Workflows;

namespace StreamFlow.Orchestrations.Workflows;

/// <summary>
/// Hands queued workflow runs, and the wake-ups of runs waiting on a lead that changed, to the work outbox the moment an
/// event queues or marks them (PostgreSQL NOTIFY on <c>workflow_runs</c>, delivered at the event's commit), with a sweep
/// behind it; the work outbox listener then starts each run as a durable orchestration, or raises the wake-up event to it.
/// The Functions host runs the <c>WorkflowRunSweep</c> timer instead.
/// </summary>
public sealed class WorkflowRunListener(
    NpgsqlDataSource dataSource,
    WorkflowRunService runs,
    IHostApplicationLifetime lifetime,
    IOptions<WorkflowOptions> options,
    ILogger<WorkflowRunListener> logger) : BackgroundService
{
    public const string NotificationChannel = "workflow_runs";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ListenForNotifications)
        {
            return;
        }

        await NotifiedDispatchLoop.WhenStartedAsync(lifetime, stoppingToken);
        using var loop = new NotifiedDispatchLoop(dataSource, NotificationChannel, "workflow runs", logger);
        await loop.RunAsync(async token =>
        {
            await runs.DispatchQueuedAsync(token);
            await runs.PassOnWakesAsync(token);
        }, options.Value.SweepInterval, stoppingToken);
    }
}
