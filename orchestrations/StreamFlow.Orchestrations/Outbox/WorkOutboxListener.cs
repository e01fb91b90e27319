using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamFlow.Core.Database;
using StreamFlow.Core.Outbox;

namespace StreamFlow.Orchestrations.Outbox;

/// <summary>
/// The work outbox dispatcher of a host: wakes on PostgreSQL NOTIFY (<see cref="WorkOutbox.NotificationChannel"/>) the
/// moment work commits, and sweeps every <see cref="WorkOutboxOptions.SweepInterval"/> for anything a missed notification
/// (or a claim that ran out) left behind. Only where a durable client is injectable (the standalone host); the Functions
/// host runs the <c>WorkOutboxSweep</c> timer instead. Unlike the webhook listener it runs on hosts without timers too
/// (imports and trainings wait for it); it starts only its own task hub's work (<see cref="WorkOutboxOptions.TaskHub"/>).
/// </summary>
public sealed class WorkOutboxListener(
    IServiceProvider services,
    NpgsqlDataSource dataSource,
    WorkOutboxDispatcher dispatcher,
    IHostApplicationLifetime lifetime,
    IOptions<WorkOutboxOptions> options,
    ILogger<WorkOutboxListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ListenForNotifications || services.GetService<DurableTaskClient>() is not { } client)
        {
            return;
        }

        await NotifiedDispatchLoop.WhenStartedAsync(lifetime, stoppingToken);
        var starter = new DurableWorkStarter(client, logger, services.GetService<Core.Webhooks.WebhookReplayService>());
        using var loop = new NotifiedDispatchLoop(dataSource, WorkOutbox.NotificationChannel, "outbox work", logger);
        await loop.RunAsync(token => dispatcher.DispatchPendingAsync(starter, token), options.Value.SweepInterval, stoppingToken);
    }
}
