using NCrontab;

namespace StreamFlow.Standalone.Timers;

/// <summary>
/// A timer trigger's schedule as the Functions host reads it: six-field NCrontab, or a TimeSpan interval, with
/// <c>%Setting%</c> resolved from configuration.
/// </summary>
internal sealed class TimerSchedule
{
    private readonly CrontabSchedule? _cron;
    private readonly TimeSpan? _interval;

    private TimerSchedule(string expression, CrontabSchedule? cron, TimeSpan? interval)
    {
        Expression = expression;
        _cron = cron;
        _interval = interval;
    }

    public string Expression { get; }

    public static TimerSchedule Parse(string declared, IConfiguration configuration)
    {
        var expression = Resolve(declared, configuration);
        if (expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6)
        {
            return new TimerSchedule(expression, CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true }), null);
        }

        if (TimeSpan.TryParse(expression, System.Globalization.CultureInfo.InvariantCulture, out var interval) && interval > TimeSpan.Zero)
        {
            return new TimerSchedule(expression, null, interval);
        }

        throw new FormatException($"'{expression}' is neither a six-field CRON expression nor a TimeSpan.");
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/> (UTC).</summary>
    public DateTime NextAfter(DateTime after) =>
        _cron is not null ? _cron.GetNextOccurrence(after) : after + _interval!.Value;

    private static string Resolve(string declared, IConfiguration configuration)
    {
        if (declared.Length > 2 && declared.StartsWith('%') && declared.EndsWith('%'))
        {
            var setting = declared[1..^1];
            return configuration[setting]
                ?? throw new InvalidOperationException($"The timer schedule setting '{setting}' is not configured.");
        }

        return declared;
    }
}
