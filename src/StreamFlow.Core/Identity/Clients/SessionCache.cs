using System.Collections.Concurrent;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Identity.Clients;

/// <summary>
/// Live sessions this host checked lately, so that most authenticated requests cost no round trip for the check. An
/// entry serves until its session is due a last-seen write (<see cref="IdentityOptions.SessionTouchInterval"/>: then the
/// request checks, and touches, in the database as before) or until any access change (<see cref="AccessChanges"/>,
/// NOTIFY from every host) — so a revocation, a password, role or status change, a suspension or new limits reach every
/// host at their commit. Only sessions that passed every check are kept; refusals always go to the database.
/// </summary>
public sealed class SessionCache(AccessChanges changes, IdentityOptions options)
{
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<TokenKey, Entry> _entries = new();

    /// <summary>Taken before the database check; <see cref="Keep"/> drops what a change made meanwhile may have staled.</summary>
    internal long Generation => changes.Generation;

    internal bool TryGet(ReadOnlySpan<byte> tokenHash, DateTimeOffset now, out SessionLookup session)
    {
        session = null!;
        if (!changes.Listening || !_entries.TryGetValue(TokenKey.Of(tokenHash), out var entry))
        {
            return false;
        }

        if (entry.Generation != changes.Generation || now - entry.LastSeenAt >= ServeFor || entry.Session.ExpiresAt <= now)
        {
            _entries.TryRemove(TokenKey.Of(tokenHash), out _);
            return false;
        }

        session = entry.Session;
        return true;
    }

    /// <param name="lastSeenAt">The session's last-seen time as stored after the check (now, when the check touched it).</param>
    internal void Keep(ReadOnlySpan<byte> tokenHash, SessionLookup session, DateTimeOffset lastSeenAt, long generationBefore)
    {
        if (!changes.Listening || changes.Generation != generationBefore)
        {
            return;
        }

        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        _entries[TokenKey.Of(tokenHash)] = new Entry(session, lastSeenAt, generationBefore);
    }

    private TimeSpan ServeFor => options.SessionTouchInterval < options.SessionIdleTimeout ? options.SessionTouchInterval : options.SessionIdleTimeout;

    private sealed record Entry(SessionLookup Session, DateTimeOffset LastSeenAt, long Generation);

    /// <summary>A SHA-256 token hash as two Guids: a dictionary key without an allocation per lookup.</summary>
    private readonly record struct TokenKey(Guid High, Guid Low)
    {
        public static TokenKey Of(ReadOnlySpan<byte> hash) => new(new Guid(hash[..16]), new Guid(hash[16..32]));
    }
}
