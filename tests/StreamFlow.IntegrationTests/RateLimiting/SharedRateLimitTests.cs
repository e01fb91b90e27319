using Microsoft.Extensions.Time.Testing;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.RateLimiting;

namespace StreamFlow.IntegrationTests.RateLimiting;

/// <summary>Issue #19, several hosts one truth: two instances of the limiter on one database share a caller's limit.</summary>
[Collection(ServicesCollection.Name)]
public sealed class SharedRateLimitTests(TestServices services)
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 0, 0, 5, TimeSpan.Zero));

    [Fact]
    public async Task What_one_instance_admitted_counts_against_the_other_once_both_have_synced()
    {
        var key = $"user:{Guid.NewGuid()}";
        var first = new ApiRateLimiter(services.Get<StreamFlowDatabase>(), _time);
        var second = new ApiRateLimiter(services.Get<StreamFlowDatabase>(), _time);

        var admittedByFirst = Enumerable.Range(0, 6).Count(_ => first.TryAcquire((key, 10)) is null);
        await first.SyncAsync(CancellationToken.None);
        Assert.Null(second.TryAcquire((key, 10)));
        await second.SyncAsync(CancellationToken.None);
        var admittedBySecond = Enumerable.Range(0, 10).Count(_ => second.TryAcquire((key, 10)) is null);
        var refused = second.TryAcquire((key, 10));

        Assert.Equal(6, admittedByFirst);
        Assert.Equal(3, admittedBySecond);
        Assert.Equal(ProblemKind.RateLimited, refused?.Kind);
        Assert.Equal(TimeSpan.FromSeconds(55), refused?.RetryAfter);
    }

    [Fact]
    public async Task A_new_minute_starts_from_zero_on_every_instance()
    {
        var key = $"tenant:{Guid.NewGuid()}";
        var limiter = new ApiRateLimiter(services.Get<StreamFlowDatabase>(), _time);
        Enumerable.Range(0, 3).ToList().ForEach(_ => limiter.TryAcquire((key, 3)));
        await limiter.SyncAsync(CancellationToken.None);
        var refusedThisMinute = limiter.TryAcquire((key, 3));

        _time.Advance(TimeSpan.FromMinutes(1));
        var admittedNextMinute = limiter.TryAcquire((key, 3));

        Assert.NotNull(refusedThisMinute);
        Assert.Null(admittedNextMinute);
    }
}
