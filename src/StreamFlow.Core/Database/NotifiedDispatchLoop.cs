using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace StreamFlow.Core.Database;

/// <summary>
/// The loop of an outbox listener: a dispatch pass the moment PostgreSQL NOTIFY fires on the outbox's channel, once after
/// every (re)connection for anything committed while no one listened, and, given a sweep interval, at least that often.
/// Wake-ups coalesce: one pass picks up everything committed so far. A lost connection is retried every 5 s; a failed
/// pass waits as long and the next wake-up retries it.
/// </summary>
public sealed class NotifiedDispatchLoop(NpgsqlDataSource dataSource, string channel, string work, ILogger logger) : IDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Waits until the host has started: the durable sidecar it serves must listen before work is started.</summary>
    public static async Task WhenStartedAsync(IHostApplicationLifetime lifetime, CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }
    }

    public Task RunAsync(Func<CancellationToken, Task> dispatchPass, TimeSpan? sweepInterval, CancellationToken stoppingToken)
    {
        Wake();
        Task[] loops = sweepInterval is { } interval
            ? [ListenAsync(stoppingToken), DispatchAsync(dispatchPass, stoppingToken), SweepAsync(interval, stoppingToken)]
            : [ListenAsync(stoppingToken), DispatchAsync(dispatchPass, stoppingToken)];
        return Task.WhenAll(loops);
    }

    public void Dispose() => _wake.Dispose();

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

    private Task ListenAsync(CancellationToken stoppingToken) =>
        NotificationListener.ListenAsync(dataSource, channel, Wake, work, logger, stoppingToken);

    private async Task SweepAsync(TimeSpan interval, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await DelayAsync(interval, stoppingToken);
            Wake();
        }
    }

    private async Task DispatchAsync(Func<CancellationToken, Task> dispatchPass, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(stoppingToken);
                await dispatchPass(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Dispatching {Work} failed; the next notification or sweep retries", work);
                await DelayAsync(RetryDelay, stoppingToken);
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
