using Microsoft.DurableTask;
using StreamFlow.Core.Privacy.SubjectRequests;

namespace StreamFlow.Orchestrations.Privacy;

public sealed record SubjectRequestRun(Guid TenantId, Guid RequestId);

public sealed record SubjectRequestFailure(Guid TenantId, Guid RequestId, string Error);

/// <summary>
/// Runs a data-subject request: mark it running, then the export or the erasure in one activity (the erasure is one
/// transaction, so a crash leaves either all of it or none, and the retry redoes it), and on failure record the reason.
/// </summary>
public sealed class SubjectRequestOrchestrator : TaskOrchestrator<SubjectRequestRun, string>
{
    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2));

    public override async Task<string> RunAsync(TaskOrchestrationContext context, SubjectRequestRun input)
    {
        try
        {
            if (!await context.CallActivityAsync<bool>(TaskNames.BeginSubjectRequest, input, Retry))
            {
                return "missing";
            }

            await context.CallActivityAsync<Dictionary<string, int>>(TaskNames.RunSubjectRequest, input, Retry);
            return "completed";
        }
        catch (TaskFailedException failure)
        {
            await context.CallActivityAsync(TaskNames.FailSubjectRequest,
                new SubjectRequestFailure(input.TenantId, input.RequestId, failure.FailureDetails.ErrorMessage), Retry);
            return "failed";
        }
    }
}

public sealed class BeginSubjectRequestActivity(SubjectRequestService requests) : TaskActivity<SubjectRequestRun, bool>
{
    public override Task<bool> RunAsync(TaskActivityContext context, SubjectRequestRun input) =>
        requests.BeginAsync(input.TenantId, input.RequestId, CancellationToken.None);
}

public sealed class RunSubjectRequestActivity(SubjectRequestService requests) : TaskActivity<SubjectRequestRun, Dictionary<string, int>>
{
    public override async Task<Dictionary<string, int>> RunAsync(TaskActivityContext context, SubjectRequestRun input) =>
        new(await requests.RunAsync(input.TenantId, input.RequestId, CancellationToken.None));
}

public sealed class FailSubjectRequestActivity(SubjectRequestService requests) : TaskActivity<SubjectRequestFailure, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, SubjectRequestFailure input)
    {
        await requests.FailAsync(input.TenantId, input.RequestId, input.Error, CancellationToken.None);
        return true;
    }
}
