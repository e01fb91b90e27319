using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamFlow.Core.Database;
using StreamFlow.Core.Workflows;

namespace StreamFlow.Orchestrations.Workflows;

/// <summary>
/// Hands queued workflow runs to the work outbox the moment an event queues them (PostgreSQL NOTIFY on
/// <c>workflow_runs</c>, delivered at the event's commit), with a sweep behind it; the work outbox listener then starts
/// each run as a durable orchestration. The Functions host runs the <c>WorkflowRunSweep</c> timer instead.
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
        await loop.RunAsync(token => runs.DispatchQueuedAsync(token), options.Value.SweepInterval, stoppingToken);
    }
}
