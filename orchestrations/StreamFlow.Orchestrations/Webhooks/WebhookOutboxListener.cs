using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamFlow.Core.Database;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Orchestrations.Webhooks;

/// <summary>
/// Wakes the dispatcher the moment an event commits (PostgreSQL NOTIFY on <see cref="WebhookOutbox.NotificationChannel"/>),
/// so that the first attempt follows the commit within a second instead of waiting for the next sweep. It makes first
/// attempts itself (<see cref="FirstAttemptInlineStarter"/>) and leaves only retries and waits to orchestrations. Only where a
/// durable client is injectable (the standalone host) and <see cref="WebhookDispatchOptions.ListenForNotifications"/>
/// is on; the timer sweep stays the safety net for everything a missed notification would leave behind. A host that runs
/// no timers (<c>Timers:Enabled=false</c>, as end-to-end test hosts sharing a database do) does no background dispatch either.
/// </summary>
public sealed class WebhookOutboxListener(
    IServiceProvider services,
    IConfiguration configuration,
    NpgsqlDataSource dataSource,
    WebhookDispatcher dispatcher,
    IHostApplicationLifetime lifetime,
    IOptions<WebhookOptions> options,
    ILogger<WebhookOutboxListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Dispatch.ListenForNotifications || !configuration.GetValue("Timers:Enabled", true)
            || services.GetService<DurableTaskClient>() is not { } client)
        {
            return;
        }

        await NotifiedDispatchLoop.WhenStartedAsync(lifetime, stoppingToken);
        var starter = new FirstAttemptInlineStarter(services.GetRequiredService<WebhookAttemptService>(), new DurableWebhookDeliveryStarter(client), logger);
        using var loop = new NotifiedDispatchLoop(dataSource, WebhookOutbox.NotificationChannel, "webhook events", logger);
        await loop.RunAsync(token => dispatcher.DispatchPendingAsync(starter, token), sweepInterval: null, stoppingToken);
    }
}
