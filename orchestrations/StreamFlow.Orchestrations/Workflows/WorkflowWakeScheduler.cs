using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamFlow.Core.Database;
using StreamFlow.Core.Workflows;

namespace StreamFlow.Orchestrations.Workflows;

/// <summary>
/// Wakes the runs whose short wait the database carries (docs/workflows.md, "Short waits are carried by the database"):
/// one loop claims every run due by now and ends its wait (<see cref="WorkflowRunService.WakeDueAsync"/>), then sleeps
/// until the next due time the database knows of (an in-process timer, so a wait ends on time however busy the durable
/// backend is), until NOTIFY on <see cref="NotificationChannel"/> says a wait was planned (by any host), or for the sweep
/// interval at most; workers take the steps after the woken waits (<see cref="WorkflowRunService.ContinueAfterWakeAsync"/>),
/// so that a wake-up never waits for the steps of the runs woken before it. The loop claims no more while the workers
/// hold <see cref="MaxBacklogPerWorker"/> runs each; the claims in hand are renewed every third of the lease
/// (<see cref="WorkflowRunService.RenewWakeClaimsAsync"/>), so a burst of wake-ups all end on time while the steps after
/// them take longer than one lease. Several hosts can run it: their claims are disjoint, a claim of a host that died
/// runs out (nothing renews it) and is resumed by another, and a claim whose renewal came too late is left to that other.
/// Runs on the hosts that start queued runs (<see cref="WorkflowOptions.ListenForNotifications"/>); the Functions
/// host's <c>WorkflowRunSweep</c> timer makes the same pass.
/// </summary>
public sealed class WorkflowWakeScheduler(
    NpgsqlDataSource dataSource,
    WorkflowRunService runs,
    IHostApplicationLifetime lifetime,
    IOptions<WorkflowOptions> options,
    TimeProvider timeProvider,
    ILogger<WorkflowWakeScheduler> logger) : BackgroundService
{
    public const string NotificationChannel = "workflow_waits";

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    // A due time that is here but not claimable yet (another host's transaction holds the row) is looked at again after this.
    private static readonly TimeSpan IdleFloor = TimeSpan.FromMilliseconds(20);

    // 1,024 runs in hand with 8 workers: a burst of 1,000 wake-ups is claimed and woken at once (docs/workflows.md).
    private const int MaxBacklogPerWorker = 128;

    // Runs claimed per round trip of the wake loop (the claim function takes 1,000 at most).
    private const int ClaimSize = 256;

    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Channel<WorkflowDueWait> _woken = Channel.CreateUnbounded<WorkflowDueWait>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly ConcurrentDictionary<Guid, WorkflowDueWait> _inHand = new();

    // Claims in hand whose renewal found them no longer this host's: their steps are left to the host that claims them.
    // By reference: a later claim of the same run is another object, and not lapsed.
    private readonly ConcurrentDictionary<WorkflowDueWait, bool> _lapsed = new(ReferenceEqualityComparer.Instance);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ListenForNotifications || options.Value.ShortWaitHorizon <= TimeSpan.Zero)
        {
            return;
        }

        await NotifiedDispatchLoop.WhenStartedAsync(lifetime, stoppingToken);
        var workers = Math.Max(1, options.Value.InProcessConcurrency);
        var loops = new List<Task> { ListenAsync(stoppingToken), WakeAsync(workers * MaxBacklogPerWorker, stoppingToken), RenewAsync(stoppingToken) };
        loops.AddRange(Enumerable.Range(0, workers).Select(_ => ContinueAsync(workers * MaxBacklogPerWorker, stoppingToken)));
        await Task.WhenAll(loops);
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    private async Task WakeAsync(int maxBacklog, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan sleep;
            try
            {
                var woken = 0;
                for (var room = maxBacklog - _inHand.Count; room > 0; room = maxBacklog - _inHand.Count)
                {
                    var claimed = await runs.WakeDueAsync(Math.Min(room, ClaimSize), stoppingToken);
                    foreach (var wait in claimed.Where(w => _inHand.TryAdd(w.RunId, w)))
                    {
                        _woken.Writer.TryWrite(wait);
                    }

                    woken += claimed.Count;
                    if (claimed.Count < Math.Min(room, ClaimSize))
                    {
                        break;
                    }
                }

                var next = await runs.NextWaitDueAsync(stoppingToken);
                sleep = next is { } due ? due - timeProvider.GetUtcNow() : options.Value.SweepInterval;
                sleep = sleep > options.Value.SweepInterval ? options.Value.SweepInterval : sleep < IdleFloor && woken == 0 ? IdleFloor : sleep;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Waking due workflow waits failed; retried in {Delay}", RetryDelay);
                sleep = RetryDelay;
            }

            try
            {
                await _wake.WaitAsync(sleep > TimeSpan.Zero ? sleep : TimeSpan.Zero, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ContinueAsync(int maxBacklog, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var wait in _woken.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    if (_lapsed.ContainsKey(wait))
                    {
                        logger.LogWarning("The claim of workflow run {RunId} ran out before its steps after the wait; they are left to the host that claims it", wait.RunId);
                        continue;
                    }

                    await runs.ContinueAfterWakeAsync(wait, stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(exception, "Workflow run {RunId} after its wait failed; it is resumed again when its claim runs out", wait.RunId);
                }
                finally
                {
                    // A full backlog held the wake loop back: it may claim again.
                    if (_inHand.Count >= maxBacklog)
                    {
                        Wake();
                    }

                    _inHand.TryRemove(wait.RunId, out _);
                    _lapsed.TryRemove(wait, out _);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    // Every third of the lease, the claims in hand are extended by a lease from now; one renewal may fail or come late
    // and the claims still hold.
    private async Task RenewAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.ClaimLease / 3;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, timeProvider, stoppingToken);
                var inHand = _inHand.Values.ToList();
                if (inHand.Count == 0)
                {
                    continue;
                }

                var renewed = await runs.RenewWakeClaimsAsync(inHand, stoppingToken);
                foreach (var wait in inHand.Where(w => !renewed.Contains(w.RunId)))
                {
                    _lapsed.TryAdd(wait, true);
                    if (!_inHand.TryGetValue(wait.RunId, out var current) || !ReferenceEquals(current, wait))
                    {
                        // Its steps were taken meanwhile (which is why the renewal did not find it).
                        _lapsed.TryRemove(wait, out _);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Renewing the claims of {Count} woken workflow runs failed; tried again in {Interval}", _inHand.Count, interval);
            }
        }
    }

    // The due-time timer goes on while the listener reconnects.
    private Task ListenAsync(CancellationToken stoppingToken) =>
        NotificationListener.ListenAsync(dataSource, NotificationChannel, Wake, "planned workflow waits", logger, stoppingToken);

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the next pass sees every wait planned so far.
        }
    }
}
