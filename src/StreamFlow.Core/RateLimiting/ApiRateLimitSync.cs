using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StreamFlow.Core.RateLimiting;

/// <summary>Rate limits (section <c>RateLimits</c>).</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>How often an instance shares its counts: the most the other instances can overshoot a limit by is what they admit in this time.</summary>
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Shares the instance's rate-limit counts through PostgreSQL on <see cref="RateLimitOptions.SyncInterval"/>.</summary>
public sealed class ApiRateLimitSync(ApiRateLimiter limiter, IOptions<RateLimitOptions> options, ILogger<ApiRateLimitSync> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SyncInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await limiter.SyncAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // Limits keep working on this instance's own counts until the database answers again.
                    logger.LogWarning(exception, "Sharing rate-limit counts failed; retrying on the next tick");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
