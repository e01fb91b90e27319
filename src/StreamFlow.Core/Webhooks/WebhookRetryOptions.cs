namespace StreamFlow.Core.Webhooks;

/// <summary>
/// The retry schedule, in one place: the first attempt at once, then each delay after the previous failure
/// (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h by default), each stretched or shrunk by up to <see cref="JitterRatio"/>.
/// A tenant may override <see cref="Delays"/> and <see cref="MaxAttempts"/>; the rest is deployment-wide.
/// </summary>
public sealed class WebhookRetryOptions
{
    public static IReadOnlyList<TimeSpan> DefaultDelays { get; } =
    [
        TimeSpan.FromSeconds(5),
        TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(2),
        TimeSpan.FromHours(5),
        TimeSpan.FromHours(10),
        TimeSpan.FromHours(10),
    ];

    /// <summary>Delays between attempts; empty means <see cref="DefaultDelays"/> (arrays bound from configuration append, so no initializer).</summary>
    public TimeSpan[] Delays { get; set; } = [];

    /// <summary>Attempts per message and endpoint, the first included; 0 means one more than the delays.</summary>
    public int MaxAttempts { get; set; }

    public double JitterRatio { get; set; } = 0.1;

    /// <summary>The longest wait a receiver's <c>Retry-After</c> can ask for.</summary>
    public TimeSpan RetryAfterCap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>An endpoint whose attempts have all failed for this long is disabled.</summary>
    public TimeSpan DisableEndpointAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>The deployment's schedule, to which a tenant's overrides are applied.</summary>
    public WebhookRetrySchedule DefaultSchedule() =>
        new(Delays is { Length: > 0 } ? Delays : DefaultDelays, MaxAttempts > 0 ? MaxAttempts : (Delays is { Length: > 0 } ? Delays.Length : DefaultDelays.Count) + 1);
}

/// <summary>One tenant's effective schedule: the delays between attempts and how many attempts there are.</summary>
public sealed record WebhookRetrySchedule(IReadOnlyList<TimeSpan> Delays, int MaxAttempts)
{
    /// <summary>
    /// The wait after the <paramref name="attemptsMade"/>-th failed attempt of a series, before jitter; null when no
    /// attempt is left. Attempts beyond the listed delays reuse the last delay.
    /// </summary>
    public TimeSpan? DelayAfter(int attemptsMade)
    {
        if (attemptsMade < 1 || attemptsMade >= MaxAttempts || Delays.Count == 0)
        {
            return null;
        }

        return Delays[Math.Min(attemptsMade, Delays.Count) - 1];
    }

    /// <summary>Stretches or shrinks <paramref name="delay"/> by a uniformly drawn factor within ±<paramref name="jitterRatio"/>.</summary>
    public static TimeSpan WithJitter(TimeSpan delay, double jitterRatio, Random random)
    {
        var ratio = Math.Clamp(jitterRatio, 0, 0.5);
        var factor = 1 + ((random.NextDouble() * 2) - 1) * ratio;
        return TimeSpan.FromTicks((long)(delay.Ticks * factor));
    }

    /// <summary>
    /// When the next attempt is due: never sooner than the schedule says, and never sooner than the receiver asked
    /// with <c>Retry-After</c> (capped).
    /// </summary>
    public static DateTimeOffset NextAttemptAt(DateTimeOffset failedAt, TimeSpan scheduledDelay, TimeSpan? retryAfter, TimeSpan retryAfterCap)
    {
        var delay = scheduledDelay;
        if (retryAfter is { } asked)
        {
            var capped = asked > retryAfterCap ? retryAfterCap : asked;
            delay = capped > delay ? capped : delay;
        }

        return failedAt + delay;
    }
}
