using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.Core.ChangeFeed;

public sealed class ChangeFeedOptions
{
    public const string Section = "ChangeFeed";

    /// <summary>Events a slow subscriber may fall behind before it is told to resync.</summary>
    public int SubscriberBuffer { get; set; } = 1000;

    /// <summary>At most this many missed events are replayed after a reconnection; beyond it the client resyncs.</summary>
    public int MaxReplay { get; set; } = 5000;

    /// <summary>A read even without NOTIFY: events held back behind an older open transaction are picked up by then.</summary>
    public TimeSpan Sweep { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A comment line this often keeps proxies from closing an idle stream.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// One reader of committed events per host, fanning them out to the live subscribers of each tenant: a commit costs
/// one query however many dashboards are open. Woken by the outbox's NOTIFY; idle (no query at all) while nobody
/// subscribes. A subscriber that cannot keep up is completed with <see cref="ChangeFeedSubscription.Overflowed"/> so
/// its client resyncs instead of silently missing events.
/// </summary>
public sealed class ChangeFeedHub(
    StreamFlowDatabase database, IOptions<ChangeFeedOptions> options, ILogger<ChangeFeedHub> logger) : BackgroundService
{
    private const int BatchSize = 500;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<ChangeFeedSubscription> _subscribers = [];
    private ChangeFeedPosition _position = ChangeFeedPosition.Start;

    public int SubscriberCount
    {
        get
        {
            lock (_subscribers)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>
    /// Subscribes <paramref name="principal"/> to its tenant's events committed after the returned subscription's
    /// <see cref="ChangeFeedSubscription.Start"/>; events up to it come from <see cref="BacklogAsync"/>.
    /// </summary>
    public async Task<ChangeFeedSubscription> SubscribeAsync(ClientPrincipal principal, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (SubscriberCount == 0)
            {
                _position = await database.InPlatformAsync(ChangeFeedStore.HeadAsync, cancellationToken);
            }

            var subscription = new ChangeFeedSubscription(principal, _position, options.Value.SubscriberBuffer, Unsubscribe);
            lock (_subscribers)
            {
                _subscribers.Add(subscription);
            }

            return subscription;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The events of <paramref name="principal"/>'s tenant in (<paramref name="after"/>, <paramref name="upTo"/>] it
    /// may see, or null when they cannot be replayed: the position is gone (retention) or too far behind.
    /// </summary>
    public Task<IReadOnlyList<ChangeFeedEvent>?> BacklogAsync(
        ClientPrincipal principal, ChangeFeedPosition after, ChangeFeedPosition upTo, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyList<ChangeFeedEvent>?>(principal.TenantId, async scope =>
        {
            if (after > upTo || !await ChangeFeedStore.ExistsAsync(scope, after))
            {
                return null;
            }

            var missed = await ChangeFeedStore.BacklogAsync(scope, after, upTo, options.Value.MaxReplay + 1);
            return missed.Count > options.Value.MaxReplay ? null : [.. missed.Where(e => principal.MaySee(e.Type))];
        }, cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var loop = new NotifiedDispatchLoop(database.DataSource, WebhookOutbox.NotificationChannel, "change feed", logger);
        await loop.RunAsync(FanOutAsync, options.Value.Sweep, stoppingToken);
    }

    private async Task FanOutAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            while (SubscriberCount > 0)
            {
                var batch = await database.InPlatformAsync(scope => ChangeFeedStore.AfterAsync(scope, _position, BatchSize), cancellationToken);
                foreach (var committed in batch)
                {
                    Deliver(committed);
                    _position = committed.Position;
                }

                if (batch.Count < BatchSize)
                {
                    return;
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Deliver(ChangeFeedEvent committed)
    {
        ChangeFeedSubscription[] subscribers;
        lock (_subscribers)
        {
            subscribers = [.. _subscribers.Where(s => s.Principal.TenantId == committed.TenantId)];
        }

        foreach (var subscriber in subscribers)
        {
            subscriber.Offer(committed);
        }
    }

    private void Unsubscribe(ChangeFeedSubscription subscription)
    {
        lock (_subscribers)
        {
            _subscribers.Remove(subscription);
        }
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }
}

/// <summary>One live stream's view of the feed: its tenant's events it may see, after <see cref="Start"/>.</summary>
public sealed class ChangeFeedSubscription : IDisposable
{
    private readonly Channel<ChangeFeedEvent> _events;
    private readonly Action<ChangeFeedSubscription> _unsubscribe;

    internal ChangeFeedSubscription(ClientPrincipal principal, ChangeFeedPosition start, int buffer, Action<ChangeFeedSubscription> unsubscribe)
    {
        Principal = principal;
        Start = start;
        _unsubscribe = unsubscribe;
        _events = Channel.CreateBounded<ChangeFeedEvent>(new BoundedChannelOptions(buffer) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    public ClientPrincipal Principal { get; }

    public ChangeFeedPosition Start { get; }

    /// <summary>True once the subscriber fell more than its buffer behind; the stream must tell the client to resync.</summary>
    public bool Overflowed { get; private set; }

    public ChannelReader<ChangeFeedEvent> Events => _events.Reader;

    internal void Offer(ChangeFeedEvent committed)
    {
        if (committed.Position <= Start || !Principal.MaySee(committed.Type))
        {
            return;
        }

        if (!_events.Writer.TryWrite(committed))
        {
            Overflowed = true;
            _events.Writer.TryComplete();
        }
    }

    public void Dispose()
    {
        _events.Writer.TryComplete();
        _unsubscribe(this);
    }
}
