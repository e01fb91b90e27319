using Microsoft.DurableTask;
using StreamFlow.Core.Federation.Members;

namespace StreamFlow.Orchestrations.Federation;

public sealed record FederationPullInput(Guid MemberId);

/// <summary>
/// Pulls one member: a failed pull is recorded on the member each time and retried with backoff; the orchestration
/// fails (readable in its status) only when every attempt failed. Durable history makes a host crash resume it.
/// </summary>
public sealed class FederationPullOrchestrator : TaskOrchestrator<FederationPullInput, FederationMemberView>
{
    private static readonly TaskOptions PullRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromSeconds(20), backoffCoefficient: 3));

    public override Task<FederationMemberView> RunAsync(TaskOrchestrationContext context, FederationPullInput input) =>
        context.CallActivityAsync<FederationMemberView>(TaskNames.PullFederationMember, input, PullRetry);
}

/// <summary>One signed pull of a member; throws when the member failed, so that the orchestration's retry policy applies.</summary>
public sealed class PullFederationMemberActivity(FederationMemberService members) : TaskActivity<FederationPullInput, FederationMemberView>
{
    public override async Task<FederationMemberView> RunAsync(TaskActivityContext context, FederationPullInput input)
    {
        var pulled = await members.PullAsync(input.MemberId, CancellationToken.None);
        if (!pulled.Succeeded)
        {
            throw new FederationPullException(pulled.Problem.Detail);
        }

        return pulled.Value.Health == "failing"
            ? throw new FederationPullException($"Member {pulled.Value.Name}: {pulled.Value.LastError}")
            : pulled.Value;
    }
}

public sealed class FederationPullException(string message) : Exception(message);
