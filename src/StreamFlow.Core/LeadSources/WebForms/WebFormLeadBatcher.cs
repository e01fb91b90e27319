using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;

namespace StreamFlow.Core.LeadSources.WebForms;

/// <summary>
/// Group commit for the public intake: submissions that passed the form's checks wait here (a bounded queue shared by
/// all tenants' forms) until one of a few writers takes up to <see cref="WebFormOptions.BatchSize"/> of them, waiting at
/// most <see cref="WebFormOptions.BatchWindow"/> for more, and writes each form's share in one transaction through
/// <see cref="LeadService.CreateManyAsync"/>. Each caller gets its own outcome: its lead, its own validation problem, or,
/// when its email or phone is already a lead's, the merge into that lead (<see cref="LeadService.CreateAsync"/> with
/// merging, after the batch committed). A batch that fails as a whole (a concurrent writer took an email or phone) is
/// written again one submission at a time, so none is lost. A full queue answers 503 with Retry-After at once; stopping
/// the host closes the queue and writes what it holds.
/// </summary>
public sealed class WebFormLeadBatcher : IHostedService, IDisposable
{
    private static readonly Problem Busy =
        new(ProblemKind.Unavailable, "The form intake is at capacity; retry in a few seconds.", RetryAfter: TimeSpan.FromSeconds(2));

    private const int AloneAttempts = 3;

    private readonly Channel<PendingLead> _queue;
    private readonly LeadService _leads;
    private readonly WebFormOptions _options;
    private readonly ILogger<WebFormLeadBatcher> _logger;
    private readonly int _batchSize;
    private readonly Task[] _writers;

    public WebFormLeadBatcher(LeadService leads, IOptions<WebFormOptions> options, ILogger<WebFormLeadBatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _leads = leads;
        _options = options.Value;
        _logger = logger;
        _batchSize = Math.Max(1, _options.BatchSize);
        _queue = Channel.CreateBounded<PendingLead>(new BoundedChannelOptions(Math.Max(1, _options.QueueCapacity))
        {
            FullMode = BoundedChannelFullMode.Wait,
        });
        // Started here rather than in StartAsync, so that a service provider without a host (tests, tools) writes too.
        _writers = Enumerable.Range(0, Math.Max(1, _options.BatchWriters)).Select(_ => Task.Run(WriteLoopAsync)).ToArray();
    }

    /// <summary>Queues one submission's lead; completes when its batch (or its own retry) has committed.</summary>
    public Task<Result<(Lead Lead, bool Created)>> CreateAsync(LeadActor actor, LeadInput input)
    {
        var pending = new PendingLead(actor, input, new TaskCompletionSource<Result<(Lead, bool)>>(TaskCreationOptions.RunContinuationsAsynchronously));
        return _queue.Writer.TryWrite(pending) ? pending.Done.Task : Task.FromResult<Result<(Lead, bool)>>(Busy);
    }

    /// <summary>Submissions waiting for a writer (not those a writer has taken).</summary>
    public int Queued => _queue.Reader.Count;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Refuses new submissions (503) and waits until the queued ones are written, or the host stops waiting.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_writers).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _logger.LogWarning("The host stopped before the web-form queue was written; {Count} submissions were not stored.", _queue.Reader.Count);
        }
    }

    public void Dispose() => _queue.Writer.TryComplete();

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingLead>(_batchSize);
        while (await _queue.Reader.WaitToReadAsync())
        {
            await FillAsync(batch);
            foreach (var form in batch.GroupBy(pending => pending.Actor))
            {
                try
                {
                    await WriteAsync(form.Key, form.ToList());
                }
                catch (Exception exception)
                {
                    _logger.LogError(exception, "Writing a batch of web-form leads failed.");
                    foreach (var pending in form)
                    {
                        pending.Done.TrySetException(exception);
                    }
                }
            }

            batch.Clear();
        }
    }

    /// <summary>Takes what is queued, up to a batch, and waits the batch window for more while the batch is not full.</summary>
    private async Task FillAsync(List<PendingLead> batch)
    {
        var until = Stopwatch.GetTimestamp() + (long)(_options.BatchWindow.TotalSeconds * Stopwatch.Frequency);
        while (batch.Count < _batchSize)
        {
            if (_queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
                continue;
            }

            if (batch.Count == 0)
            {
                return; // another writer took it: wait for the next one without a window
            }

            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), until);
            if (left <= TimeSpan.Zero)
            {
                return;
            }

            using var window = new CancellationTokenSource(left);
            try
            {
                if (!await _queue.Reader.WaitToReadAsync(window.Token))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (window.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task WriteAsync(LeadActor actor, IReadOnlyList<PendingLead> form)
    {
        if (form.Count == 1)
        {
            await WriteAloneAsync(form[0]);
            return;
        }

        Result<IReadOnlyList<Result<Lead>>>? batch;
        try
        {
            batch = await _leads.CreateManyAsync(actor, form.Select(pending => pending.Input).ToList(), null, CancellationToken.None);
        }
        catch (Exception exception) when (DependencyOutage.DependencyOf(exception) is not null)
        {
            // The database is down or full: one at a time would fail the same way, and each caller answers 503.
            foreach (var pending in form)
            {
                pending.Done.TrySetException(exception);
            }

            return;
        }
        catch (Exception exception)
        {
            // A deadlock with another batch, or one submission the database refuses: each alone, so only that one fails.
            _logger.LogInformation(exception, "A batch of {Count} web-form leads failed as a whole; writing them one at a time.", form.Count);
            batch = null;
        }

        if (batch is not { Succeeded: true } written)
        {
            foreach (var pending in form)
            {
                await WriteAloneAsync(pending);
            }

            return;
        }

        for (var i = 0; i < form.Count; i++)
        {
            var result = written.Value[i];
            if (result.Succeeded)
            {
                form[i].Done.TrySetResult((result.Value, true));
            }
            else if (IsDuplicate(result.Problem))
            {
                await WriteAloneAsync(form[i]);
            }
            else
            {
                form[i].Done.TrySetResult(result.Problem);
            }
        }
    }

    /// <summary>One submission in its own transaction, merged into the lead its email or phone already belongs to.</summary>
    private async Task WriteAloneAsync(PendingLead pending)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var created = await _leads.CreateAsync(pending.Actor, pending.Input, mergeDuplicate: true, CancellationToken.None);
                // Losing the race for the email or phone to a concurrent writer is answered as a duplicate: merge into the winner.
                if (attempt < AloneAttempts && !created.Succeeded && IsDuplicate(created.Problem))
                {
                    continue;
                }

                pending.Done.TrySetResult(created);
                return;
            }
            catch (PostgresException exception) when (attempt < AloneAttempts && exception.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                _logger.LogInformation("A web-form lead's write met a concurrent one ({SqlState}); trying again.", exception.SqlState);
            }
            catch (Exception exception)
            {
                pending.Done.TrySetException(exception);
                return;
            }
        }
    }

    /// <summary>The batched create refuses duplicates (naming the lead they duplicate); the intake merges them instead.</summary>
    private static bool IsDuplicate(Problem problem) =>
        problem.Kind == ProblemKind.Conflict && problem.Extensions?.ContainsKey("existingLeadId") == true;

    private sealed record PendingLead(LeadActor Actor, LeadInput Input, TaskCompletionSource<Result<(Lead, bool)>> Done);
}
