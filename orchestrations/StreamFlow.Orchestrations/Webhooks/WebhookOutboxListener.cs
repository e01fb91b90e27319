using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
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
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _wake = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Dispatch.ListenForNotifications || !configuration.GetValue("Timers:Enabled", true)
            || services.GetService<DurableTaskClient>() is not { } client)
        {
            return;
        }

        // The durable sidecar is served by this host: dispatch only once it listens.
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        var starter = new FirstAttemptInlineStarter(services.GetRequiredService<WebhookAttemptService>(), new DurableWebhookDeliveryStarter(client), logger);
        Wake();
        await Task.WhenAll(ListenAsync(stoppingToken), DispatchAsync(starter, stoppingToken));
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled: one dispatch pass picks up everything committed so far.
            }
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => Wake();
                await using (var listen = new NpgsqlCommand($"LISTEN {WebhookOutbox.NotificationChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Anything committed while no one listened.
                Wake();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or IOException or TimeoutException)
            {
                logger.LogWarning(exception, "Listening for webhook events failed; reconnecting");
                await DelayAsync(stoppingToken);
            }
        }
    }

    private async Task DispatchAsync(IWebhookDeliveryStarter starter, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(stoppingToken);
                await dispatcher.DispatchPendingAsync(starter, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Dispatching webhook events failed; the next notification or sweep retries");
                await DelayAsync(stoppingToken);
            }
        }
    }

    private static async Task DelayAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(ReconnectDelay, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
