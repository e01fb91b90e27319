using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
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
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _wake = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ListenForNotifications || services.GetService<DurableTaskClient>() is not { } client)
        {
            return;
        }

        // The durable sidecar is served by this host: start work only once it listens.
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        Wake();
        await Task.WhenAll(ListenAsync(stoppingToken), SweepAsync(stoppingToken), DispatchAsync(new DurableWorkStarter(client, logger), stoppingToken));
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the next pass picks up everything committed so far.
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
                await using (var listen = new NpgsqlCommand($"LISTEN {WorkOutbox.NotificationChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

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
                logger.LogWarning(exception, "Listening for outbox work failed; reconnecting");
                await DelayAsync(ReconnectDelay, stoppingToken);
            }
        }
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await DelayAsync(options.Value.SweepInterval, stoppingToken);
            Wake();
        }
    }

    private async Task DispatchAsync(IWorkStarter starter, CancellationToken stoppingToken)
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
                logger.LogError(exception, "Dispatching outbox work failed; the next notification or sweep retries");
                await DelayAsync(ReconnectDelay, stoppingToken);
            }
        }
    }

    private static async Task DelayAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
