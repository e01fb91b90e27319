using Microsoft.Extensions.Logging;
using Npgsql;

namespace StreamFlow.Core.Database;

/// <summary>
/// LISTEN on one PostgreSQL channel for as long as the host runs: <c>wake</c> on every notification and once after each
/// (re)connection, for anything committed while no one listened. A lost connection is retried every 5 s; <c>lost</c>, when
/// given, is told at once (a cache kept coherent by the notifications must stop serving until the next <c>wake</c>).
/// </summary>
public static class NotificationListener
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    public static async Task ListenAsync(NpgsqlDataSource dataSource, string channel, Action wake, string work, ILogger logger, CancellationToken stoppingToken, Action? lost = null)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => wake();
                await using (var listen = new NpgsqlCommand($"LISTEN {channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                wake();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                lost?.Invoke();
                return;
            }
            catch (Exception exception)
            {
                lost?.Invoke();
                // Whatever broke the connection (a server stopped mid-wait can surface as more than NpgsqlException),
                // the listener must come back: a loop that ended here would leave only the sweep.
                logger.LogWarning(exception, "Listening for {Work} failed; reconnecting", work);
                try
                {
                    await Task.Delay(RetryDelay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
