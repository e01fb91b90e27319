using System.Text;
using OpenAI.Chat;

namespace StreamFlow.Core.Ai;

/// <summary>How a stream ended and what it was billed.</summary>
/// <param name="UsageReported">False when the usage was counted from the generated text (the stream ended early).</param>
public sealed record AiStreamSummary(
    AiCallOutcome Outcome,
    string? FinishReason,
    AiTokenUsage Usage,
    decimal CostUsd,
    decimal BillableUsd,
    bool UsageReported);

/// <summary>What a stream hands back to the gateway for settlement when it ends.</summary>
internal sealed record AiStreamEnd(AiCallOutcome Outcome, string Text, int ContentChunks, AiTokenUsage? Usage, string? FinishReason);

/// <summary>
/// A streaming answer: enumerate it once for the text deltas. The budget reservation is reconciled when the
/// enumeration ends — completed, failed, cancelled through its token, or abandoned (disposed) by the consumer —
/// and billed for what was generated. Dispose the stream if it may not be enumerated to the end.
/// </summary>
public sealed class AiStream : IAsyncEnumerable<string>, IAsyncDisposable
{
    private readonly AiUpstreamStream? _upstream;
    private readonly string? _cachedText;
    private readonly Func<AiStreamEnd, Task<AiStreamSummary>>? _settle;
    private readonly TaskCompletionSource<AiStreamSummary> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _started;

    internal AiStream(string model, string deployment, AiUpstreamStream upstream, Func<AiStreamEnd, Task<AiStreamSummary>> settle)
    {
        Model = model;
        Deployment = deployment;
        _upstream = upstream;
        _settle = settle;
    }

    internal AiStream(string model, string deployment, string cachedText, AiStreamSummary summary)
    {
        Model = model;
        Deployment = deployment;
        CacheHit = true;
        _cachedText = cachedText;
        _completion.SetResult(summary);
    }

    public string Model { get; }

    public string Deployment { get; }

    public bool CacheHit { get; }

    /// <summary>Completes once the stream has ended and its cost is booked.</summary>
    public Task<AiStreamSummary> Completion => _completion.Task;

    public IAsyncEnumerator<string> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException("An AI stream can be enumerated once.");
        }

        return _upstream is null ? ReplayCachedAsync(cancellationToken) : ReadAsync(_upstream, cancellationToken);
    }

    /// <summary>Ends a stream that was never enumerated: the upstream request is cancelled and what it produced is billed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _started, 1) == 1 || _upstream is null)
        {
            return;
        }

        var first = _upstream.First;
        var text = first is null ? "" : TextOf(first);
        await EndAsync(_upstream, new AiStreamEnd(AiCallOutcome.Cancelled, text, text.Length > 0 ? 1 : 0, AiUpstream.ToUsage(first?.Usage), null));
    }

    private async IAsyncEnumerator<string> ReplayCachedAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        yield return _cachedText!;
        await Task.CompletedTask;
    }

    private async IAsyncEnumerator<string> ReadAsync(AiUpstreamStream upstream, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var chunks = 0;
        AiTokenUsage? usage = null;
        string? finishReason = null;
        // Failed until the stream ends normally; Cancelled while the consumer holds a delta (it may not come back).
        var outcome = AiCallOutcome.Failed;
        using var registration = cancellationToken.Register(static state => ((AiUpstreamStream)state!).Cancel(), upstream);
        try
        {
            var update = upstream.First;
            while (update is not null)
            {
                usage = AiUpstream.ToUsage(update.Usage) ?? usage;
                finishReason = AiUpstream.FinishReasonName(update.FinishReason) ?? finishReason;
                var delta = TextOf(update);
                if (delta.Length > 0)
                {
                    text.Append(delta);
                    chunks++;
                    outcome = AiCallOutcome.Cancelled;
                    yield return delta;
                    outcome = AiCallOutcome.Failed;
                    // Chunks already buffered would otherwise keep coming after the consumer cancelled.
                    cancellationToken.ThrowIfCancellationRequested();
                    upstream.ThrowIfCancelled();
                }

                update = await upstream.NextAsync();
            }

            outcome = AiCallOutcome.Succeeded;
        }
        finally
        {
            if (outcome == AiCallOutcome.Failed && (cancellationToken.IsCancellationRequested || upstream.CancelledByConsumer))
            {
                outcome = AiCallOutcome.Cancelled;
            }

            await EndAsync(upstream, new AiStreamEnd(outcome, text.ToString(), chunks, usage, finishReason));
        }
    }

    private async Task EndAsync(AiUpstreamStream upstream, AiStreamEnd end)
    {
        try
        {
            if (end.Outcome != AiCallOutcome.Succeeded)
            {
                upstream.Cancel();
            }

            await upstream.DisposeAsync();
            _completion.TrySetResult(await _settle!(end));
        }
        catch (Exception exception)
        {
            _completion.TrySetException(exception);
            throw;
        }
    }

    private static string TextOf(StreamingChatCompletionUpdate update) =>
        update.ContentUpdate.Count == 0
            ? ""
            : string.Concat(update.ContentUpdate.Where(part => part.Kind == ChatMessageContentPartKind.Text).Select(part => part.Text));
}
