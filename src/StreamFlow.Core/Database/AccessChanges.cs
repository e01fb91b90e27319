using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace StreamFlow.Core.Database;

/// <summary>
/// Tells a host's caches of who may call (sessions) that any host changed it: a revocation, a password or role change,
/// a user's status, a tenant's suspension or limits. Triggers (migration 0282) send <see cref="Channel"/> at commit from
/// whichever host or script made the change; this host's own writers also call <see cref="Changed"/> right after they
/// commit, so their next request never waits for the notification. A cache remembers the <see cref="Generation"/> it
/// read under and serves only while it is unchanged and <see cref="Listening"/>: while the listener is disconnected a
/// notification could be missed, so nothing is served from a cache then.
/// </summary>
public sealed class AccessChanges
{
    public const string Channel = "access_changes";

    private long _generation;
    private volatile bool _listening;

    public long Generation => Interlocked.Read(ref _generation);

    public bool Listening => _listening;

    public void Changed() => Interlocked.Increment(ref _generation);

    /// <summary>Connected (again) or notified: whatever was cached before may be stale.</summary>
    internal void Notified()
    {
        Changed();
        _listening = true;
    }

    internal void Lost()
    {
        _listening = false;
        Changed();
    }
}

/// <summary>Keeps <see cref="AccessChanges"/> listening for as long as the host runs.</summary>
public sealed class AccessChangesListener(NpgsqlDataSource dataSource, AccessChanges changes, ILogger<AccessChangesListener> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        NotificationListener.ListenAsync(dataSource, AccessChanges.Channel, changes.Notified, "access changes", logger, stoppingToken, changes.Lost);
}
