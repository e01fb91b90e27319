using Microsoft.DurableTask;
using StreamFlow.Core.Connections;
using StreamFlow.Orchestrations.Rfps;

namespace StreamFlow.Orchestrations.Connections;

/// <summary>
/// One sync of a connection, a page per activity so that a crash resumes at the page it was on. A throttled page waits
/// for the vendor's Retry-After on a durable timer and runs again; an unavailable vendor (5xx, timeouts, unreadable
/// answers) gets a few retries with backoff; refused credentials, a spent quota or a refused request end the sync at
/// once with the error on the connection. After the pages, documents the sync brought are fetched and analysed.
/// </summary>
public sealed class ConnectionSyncOrchestrator : TaskOrchestrator<ConnectionSyncInput, string>
{
    /// <summary>A Retry-After longer than this is treated as a spent quota rather than slept through.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(30);

    private const int AttachmentBatch = 10;
    private const int MaxAttachmentBatches = 20;

    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2));

    public override async Task<string> RunAsync(TaskOrchestrationContext context, ConnectionSyncInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        try
        {
            var page = await context.CallActivityAsync<string?>(TaskNames.BeginConnectionSync, input, Retry);
            var attempts = 0;
            while (page is not null)
            {
                var outcome = await context.CallActivityAsync<SyncPageOutcome>(
                    TaskNames.SyncConnectionPage, new SyncPageRequest(input.TenantId, input.ConnectionId, input.SyncId, page), Retry);
                if (outcome.FailureKind is null)
                {
                    page = outcome.NextPage;
                    attempts = 0;
                    continue;
                }

                var wait = TimeSpan.FromSeconds(outcome.RetryAfterSeconds ?? outcome.BackoffSeconds * Math.Pow(2, attempts));
                if (outcome.FailureKind is not ("rateLimited" or "unavailable") || ++attempts > outcome.MaxRetries || wait > MaxWait)
                {
                    var error = wait > MaxWait ? $"{outcome.Error} The vendor asked to wait {wait.TotalMinutes:0} minutes; the next scheduled sync tries again." : outcome.Error;
                    await Finish(context, input, error, wait > MaxWait ? "quotaExceeded" : outcome.FailureKind);
                    return "failed";
                }

                var until = context.CurrentUtcDateTime.Add(wait);
                await context.CallActivityAsync(TaskNames.RecordConnectionSyncWait,
                    new SyncWait(input.TenantId, input.SyncId, until, outcome.Error ?? "", outcome.FailureKind), Retry);
                await context.CreateTimer(until, CancellationToken.None);
            }

            await Finish(context, input, null, null);
        }
        catch (TaskFailedException failure)
        {
            await Finish(context, input, failure.FailureDetails.ErrorMessage, "unavailable");
            return "failed";
        }

        await AnalyseAttachmentsAsync(context, input);
        return "completed";
    }

    private static Task Finish(TaskOrchestrationContext context, ConnectionSyncInput input, string? error, string? kind) =>
        context.CallActivityAsync(TaskNames.FinishConnectionSync, new SyncFinish(input.TenantId, input.ConnectionId, input.SyncId, error, kind), Retry);

    /// <summary>Attachments are best effort: a failed download or analysis is recorded on the attachment, never on the sync.</summary>
    private static async Task AnalyseAttachmentsAsync(TaskOrchestrationContext context, ConnectionSyncInput input)
    {
        var analyses = new List<Task>();
        try
        {
            for (var batch = 0; batch < MaxAttachmentBatches; batch++)
            {
                var rfps = await context.CallActivityAsync<List<Guid>>(TaskNames.ProcessSourceAttachments, new SourceAttachmentBatch(input.TenantId, AttachmentBatch), Retry);
                analyses.AddRange(rfps.Select(rfp => context.CallSubOrchestratorAsync<string>(
                    TaskNames.RfpAnalysis, new RfpAnalysisInput(input.TenantId, rfp), new SubOrchestrationOptions { InstanceId = $"rfp-{rfp:N}" })));
                if (rfps.Count < AttachmentBatch)
                {
                    break;
                }
            }

            await Task.WhenAll(analyses);
        }
        catch (TaskFailedException)
        {
            // The RFP records its own failure; the sync itself already completed.
        }
    }
}
