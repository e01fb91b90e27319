using StreamFlow.Core.Scheduling;
using StreamFlow.Functions.Hosting;

namespace StreamFlow.Standalone.Timers;

/// <summary>
/// Fires every timer function on its schedule, one loop per timer; each occurrence is claimed in PostgreSQL first, so
/// that of several hosts on one database exactly one fires it.
/// </summary>
internal sealed class TimerScheduler(
    TimerRunner runner, TimerSlotStore slots, TimeProvider timeProvider, IConfiguration configuration, ILogger<TimerScheduler> logger)
    : BackgroundService
{
    private readonly string _host = $"{Environment.MachineName}:{Environment.ProcessId}";

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

            if (await ClaimAsync(timer, next, stoppingToken))
            {
                var isPastDue = timeProvider.GetUtcNow().UtcDateTime - next > TimeSpan.FromSeconds(30);
                await runner.RunAsync(timer, last, isPastDue, stoppingToken);
            }

            last = next;
        }
    }

    private async Task<bool> ClaimAsync(TimerFunction timer, DateTime slot, CancellationToken stoppingToken)
    {
        try
        {
            return await slots.ClaimAsync(timer.Name, slot, _host, stoppingToken);
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            // The database being down means this occurrence is skipped rather than fired by every host.
            logger.LogWarning(exception, "Timer {Function} skipped the {Slot:o} occurrence: it could not be claimed", timer.Name, slot);
            return false;
        }
    }
}
