using System.Security.Cryptography;
using System.Text;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Identity.Throttling;

public sealed class LoginThrottleOptions
{
    /// <summary>Failures an account may have in an hour before delays start.</summary>
    public int FreeAccountFailures { get; set; } = 5;

    /// <summary>The ceiling: at this many failures in an hour the account is locked until the hour has passed.</summary>
    public int MaxAccountFailuresPerHour { get; set; } = 100;

    public int FreeIpFailures { get; set; } = 20;

    public int MaxIpFailuresPerHour { get; set; } = 1000;

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>
/// Growing delays after repeated failed logins, per account (tenant + email, whether or not it exists) and per IP,
/// with a lockout ceiling. Keys are stored hashed: the table holds no emails or addresses.
/// </summary>
public sealed class LoginThrottle(StreamFlowDatabase database, TimeProvider timeProvider, LoginThrottleOptions options)
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);

    public static byte[] AccountKey(string tenantSlug, string email) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"account:{tenantSlug.Trim().ToLowerInvariant()}:{email.Trim().ToLowerInvariant()}"));

    /// <summary>A provider or developer account: "operator:" cannot be a tenant slug, so the keys never meet.</summary>
    public static byte[] OperatorAccountKey(string system, string email) => AccountKey($"operator:{system}", email);

    public static byte[] IpKey(string? ip) => SHA256.HashData(Encoding.UTF8.GetBytes($"ip:{ip ?? "unknown"}"));

    /// <summary>How long the caller must wait before another attempt, or null when it may try now.</summary>
    public Task<TimeSpan?> RetryAfterAsync(byte[] accountKey, byte[] ipKey, CancellationToken cancellationToken) =>
        database.InPlatformAsync(async scope =>
        {
            var now = timeProvider.GetUtcNow();
            var account = await WaitAsync(scope, accountKey, now, options.FreeAccountFailures, options.MaxAccountFailuresPerHour);
            var ip = await WaitAsync(scope, ipKey, now, options.FreeIpFailures, options.MaxIpFailuresPerHour);
            var wait = new[] { account, ip }.Where(w => w is not null).DefaultIfEmpty(null).Max();
            return wait;
        }, cancellationToken);

    public Task RecordFailureAsync(byte[] accountKey, byte[] ipKey, CancellationToken cancellationToken) =>
        database.InPlatformAsync(async scope =>
        {
            var now = timeProvider.GetUtcNow();
            await LoginFailureStore.RecordAsync(scope, accountKey, now);
            await LoginFailureStore.RecordAsync(scope, ipKey, now);
            await LoginFailureStore.PruneAsync(scope, now - Window - Window);
            return true;
        }, cancellationToken);

    public Task ClearAccountAsync(byte[] accountKey, CancellationToken cancellationToken) =>
        database.InPlatformAsync(scope => LoginFailureStore.ClearAsync(scope, accountKey), cancellationToken);

    private async Task<TimeSpan?> WaitAsync(DbTransactionScope scope, byte[] key, DateTimeOffset now, int free, int ceiling)
    {
        var stats = await LoginFailureStore.StatsAsync(scope, key, now - Window);
        if (stats.Failures < free || stats.LastFailure is null)
        {
            return null;
        }

        var until = stats.Failures >= ceiling
            ? Utc(stats.FirstFailure!.Value) + Window
            : Utc(stats.LastFailure.Value) + Delay(stats.Failures - free);
        return until > now ? until - now : null;
    }

    /// <summary>1 s after the first failure past the free ones, doubling up to the maximum delay.</summary>
    private TimeSpan Delay(long failuresPastFree)
    {
        var seconds = Math.Pow(2, Math.Min(failuresPastFree, 20));
        return TimeSpan.FromSeconds(Math.Min(seconds, options.MaxDelay.TotalSeconds));
    }

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));
}
