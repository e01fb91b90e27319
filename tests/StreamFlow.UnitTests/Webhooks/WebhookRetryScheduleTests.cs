using StreamFlow.Core.Webhooks;

namespace StreamFlow.UnitTests.Webhooks;

public sealed class WebhookRetryScheduleTests
{
    private static readonly DateTimeOffset FailedAt = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Default_schedule_is_at_once_then_5s_5m_30m_2h_5h_10h_10h()
    {
        var schedule = new WebhookRetryOptions().DefaultSchedule();

        Assert.Equal(8, schedule.MaxAttempts);
        Assert.Equal(
            [TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10)],
            Enumerable.Range(1, 7).Select(attempts => schedule.DelayAfter(attempts)!.Value));
        Assert.Null(schedule.DelayAfter(8));
    }

    [Fact]
    public void A_lower_maximum_gives_up_earlier()
    {
        var schedule = new WebhookRetrySchedule(WebhookRetryOptions.DefaultDelays, MaxAttempts: 5);

        Assert.Equal(TimeSpan.FromHours(2), schedule.DelayAfter(4));
        Assert.Null(schedule.DelayAfter(5));
    }

    [Fact]
    public void Attempts_beyond_the_listed_delays_reuse_the_last_delay()
    {
        var schedule = new WebhookRetrySchedule([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], MaxAttempts: 5);

        Assert.Equal(TimeSpan.FromSeconds(2), schedule.DelayAfter(4));
    }

    [Fact]
    public void Jitter_stays_within_ten_percent_either_way_and_uses_the_whole_band()
    {
        var random = new Random(12345);
        var delays = Enumerable.Range(0, 10_000)
            .Select(_ => WebhookRetrySchedule.WithJitter(TimeSpan.FromMinutes(30), 0.1, random))
            .ToList();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromMinutes(27), TimeSpan.FromMinutes(33)));
        Assert.True(delays.Min() < TimeSpan.FromMinutes(27.3));
        Assert.True(delays.Max() > TimeSpan.FromMinutes(32.7));
    }

    [Fact]
    public void A_longer_retry_after_pushes_the_next_attempt_back()
    {
        var next = WebhookRetrySchedule.NextAttemptAt(FailedAt, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(2), TimeSpan.FromHours(24));

        Assert.Equal(FailedAt + TimeSpan.FromMinutes(2), next);
    }

    [Fact]
    public void A_shorter_retry_after_does_not_bring_the_schedule_forward()
    {
        var next = WebhookRetrySchedule.NextAttemptAt(FailedAt, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10), TimeSpan.FromHours(24));

        Assert.Equal(FailedAt + TimeSpan.FromMinutes(5), next);
    }

    [Fact]
    public void Retry_after_is_capped()
    {
        var next = WebhookRetrySchedule.NextAttemptAt(FailedAt, TimeSpan.FromSeconds(5), TimeSpan.FromDays(30), TimeSpan.FromHours(24));

        Assert.Equal(FailedAt + TimeSpan.FromHours(24), next);
    }
}
