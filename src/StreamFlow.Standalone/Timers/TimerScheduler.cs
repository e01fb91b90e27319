using StreamFlow.Functions.Hosting;

namespace StreamFlow.Standalone.Timers;

/// <summary>Fires every timer function on its schedule, one loop per timer.</summary>
internal sealed class TimerScheduler(TimerRunner runner, TimeProvider timeProvider, IConfiguration configuration, ILogger<TimerScheduler> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("Timers:Enabled", true))
        {
            logger.LogInformation("Timer triggers are disabled (Timers:Enabled=false); they still run on demand");
            return Task.CompletedTask;
        }

        return Task.WhenAll(runner.Timers.Select(timer => RunLoopAsync(timer, stoppingToken)));
    }

    private async Task RunLoopAsync(TimerFunction timer, CancellationToken stoppingToken)
    {
        var schedule = runner.ScheduleOf(timer);
        DateTime? last = null;
        if (timer.RunOnStartup)
        {
            await runner.RunAsync(timer, last, isPastDue: false, stoppingToken);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            // From the later of now and the last occurrence: a wake-up a few ms early must not fire the same slot twice.
            var now = timeProvider.GetUtcNow().UtcDateTime;
            var next = schedule.NextAfter(last is { } previous && previous > now ? previous : now);
            var delay = next - now;
            try
            {
                await Task.Delay(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var isPastDue = timeProvider.GetUtcNow().UtcDateTime - next > TimeSpan.FromSeconds(30);
            await runner.RunAsync(timer, last, isPastDue, stoppingToken);
            last = next;
        }
    }
}
