using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Scheduling;

/// <summary>
/// Claims a timer's scheduled occurrence for one host: the first host to insert the (timer, slot) row fires it, the
/// others skip it. Unlike a lock held while running, a slot once claimed stays claimed, so a host whose clock or
/// start-up lags cannot fire it again after the first host has finished.
/// </summary>
public sealed class TimerSlotStore(StreamFlowDatabase database, TimeProvider timeProvider)
{
    private static readonly TimeSpan Kept = TimeSpan.FromDays(7);

    private const string ClaimSql = """
        DELETE FROM timer_slots WHERE timer_name = @TimerName AND slot < @PruneBefore;
        INSERT INTO timer_slots (timer_name, slot, host, claimed_at) VALUES (@TimerName, @Slot, @Host, @Now)
        ON CONFLICT (timer_name, slot) DO NOTHING
        RETURNING 1;
        """;

    /// <returns>True when this host claimed <paramref name="slot"/> and should fire it.</returns>
    public Task<bool> ClaimAsync(string timerName, DateTime slot, string host, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var slotUtc = new DateTimeOffset(DateTime.SpecifyKind(slot, DateTimeKind.Utc));
        return database.InPlatformAsync(
            async scope => await scope.Connection.ExecuteScalarAsync<int?>(scope.Command(
                ClaimSql, new { TimerName = timerName, Slot = slotUtc, Host = host, Now = now, PruneBefore = now - Kept })) is 1,
            cancellationToken);
    }
}
