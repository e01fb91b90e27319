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
/// hold <see cref="MaxBacklogPerWorker"/> runs each, well within the claim's lease. Several hosts can run it: their
/// claims are disjoint, and a claim of a host that died runs out and is resumed by another.
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

    private const int MaxBacklogPerWorker = 32;

    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Channel<WorkflowDueWait> _woken = Channel.CreateUnbounded<WorkflowDueWait>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly ConcurrentDictionary<Guid, bool> _inHand = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.ListenForNotifications || options.Value.ShortWaitHorizon <= TimeSpan.Zero)
        {
            return;
        }

        await NotifiedDispatchLoop.WhenStartedAsync(lifetime, stoppingToken);
        var workers = Math.Max(1, options.Value.InProcessConcurrency);
        var loops = new List<Task> { ListenAsync(stoppingToken), WakeAsync(workers * MaxBacklogPerWorker, stoppingToken) };
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
                    var claimed = await runs.WakeDueAsync(Math.Min(room, 64), stoppingToken);
                    foreach (var wait in claimed.Where(w => _inHand.TryAdd(w.RunId, true)))
                    {
                        _woken.Writer.TryWrite(wait);
                    }

                    woken += claimed.Count;
                    if (claimed.Count < Math.Min(room, 64))
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
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
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
