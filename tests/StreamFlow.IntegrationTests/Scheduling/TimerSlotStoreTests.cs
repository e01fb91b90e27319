using StreamFlow.Core.Scheduling;

namespace StreamFlow.IntegrationTests.Scheduling;

[Collection(ServicesCollection.Name)]
public sealed class TimerSlotStoreTests(TestServices services)
{
    private readonly TimerSlotStore _slots = services.Get<TimerSlotStore>();

    [Fact]
    public async Task Of_hosts_racing_for_one_occurrence_exactly_one_fires_it()
    {
        var timer = $"test-timer-{Guid.NewGuid():N}";
        var slot = new DateTime(2026, 12, 5, 18, 0, 0, DateTimeKind.Utc);

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(host => _slots.ClaimAsync(timer, slot, $"host-{host}", CancellationToken.None)));

        Assert.Single(claims, claimed => claimed);
        Assert.False(await _slots.ClaimAsync(timer, slot, "late-host", CancellationToken.None));
    }

    [Fact]
    public async Task The_next_occurrence_and_other_timers_are_claimed_separately()
    {
        var timer = $"test-timer-{Guid.NewGuid():N}";
        var slot = new DateTime(2026, 12, 5, 18, 0, 0, DateTimeKind.Utc);

        Assert.True(await _slots.ClaimAsync(timer, slot, "a", CancellationToken.None));
        Assert.True(await _slots.ClaimAsync(timer, slot.AddMinutes(5), "b", CancellationToken.None));
        Assert.True(await _slots.ClaimAsync(timer + "-other", slot, "b", CancellationToken.None));
    }
}
