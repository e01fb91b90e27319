using System.Diagnostics;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Functions.Hosting;

namespace StreamFlow.Standalone.Timers;

public sealed record TimerRunOutcome(string Function, bool Succeeded, double DurationMs, string? Error);

/// <summary>Invokes a timer function once, on schedule or on demand, with the TimerInfo the Functions host would pass.</summary>
internal sealed class TimerRunner(FunctionCatalog catalog, IServiceProvider services, IConfiguration configuration, TimeProvider timeProvider, ILogger<TimerRunner> logger)
{
    public IReadOnlyList<TimerFunction> Timers => catalog.Timers;

    public TimerFunction? Find(string name) =>
        catalog.Timers.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));

    public TimerSchedule ScheduleOf(TimerFunction timer) => TimerSchedule.Parse(timer.Schedule, configuration);

    public async Task<TimerRunOutcome> RunAsync(TimerFunction timer, DateTime? last, bool isPastDue, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var info = new TimerInfo
        {
            IsPastDue = isPastDue,
            ScheduleStatus = new ScheduleStatus { Last = last ?? default, Next = ScheduleOf(timer).NextAfter(now), LastUpdated = now },
        };

        var started = Stopwatch.GetTimestamp();
        await using var scope = services.CreateAsyncScope();
        try
        {
            await FunctionInvocation.InvokeAsync(timer.Method, new BindingSource(scope.ServiceProvider, cancellationToken, TriggerValue: info));
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            logger.LogInformation("Timer {Function} ran in {ElapsedMs:0.0} ms", timer.Name, elapsed);
            return new TimerRunOutcome(timer.Name, true, elapsed, null);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(exception, "Timer {Function} failed", timer.Name);
            return new TimerRunOutcome(timer.Name, false, Stopwatch.GetElapsedTime(started).TotalMilliseconds, exception.GetType().Name);
        }
    }
}
