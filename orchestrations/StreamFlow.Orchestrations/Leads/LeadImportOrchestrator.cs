using Microsoft.DurableTask;

namespace StreamFlow.Orchestrations.Leads;

/// <summary>
/// Imports a CSV: parse once, then upsert and score the chunks with bounded parallelism, reporting progress.
/// Chunks that already ran are replayed from history after a crash; a chunk run twice updates the same leads.
/// </summary>
public sealed class LeadImportOrchestrator : TaskOrchestrator<LeadImportInput, string>
{
    private const int Parallelism = 4;

    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2));

    public override async Task<string> RunAsync(TaskOrchestrationContext context, LeadImportInput input)
    {
        try
        {
            var chunks = await context.CallActivityAsync<int>(TaskNames.ParseLeadImport, input, Retry);
            var running = new List<Task<ImportChunkOutcome>>();
            var done = 0;
            for (var chunk = 0; chunk < chunks; chunk++)
            {
                if (running.Count == Parallelism)
                {
                    var finished = await Task.WhenAny(running);
                    running.Remove(finished);
                    done++;
                    context.SetCustomStatus(new { chunksDone = done, chunks });
                }

                running.Add(context.CallActivityAsync<ImportChunkOutcome>(TaskNames.ImportLeadChunk, new ImportChunkRequest(input.TenantId, input.ImportId, chunk), Retry));
            }

            await Task.WhenAll(running);
            await context.CallActivityAsync(TaskNames.FinishLeadImport, new LeadImportFinish(input.TenantId, input.ImportId, null), Retry);
            return "completed";
        }
        catch (TaskFailedException failure)
        {
            await context.CallActivityAsync(TaskNames.FinishLeadImport, new LeadImportFinish(input.TenantId, input.ImportId, failure.FailureDetails.ErrorMessage), Retry);
            return "failed";
        }
    }
}
