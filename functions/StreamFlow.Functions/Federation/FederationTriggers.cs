using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Federation.Members;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Federation;

namespace StreamFlow.Functions.Federation;

/// <summary>The pull schedule and the trigger shims over the federation pull classes in StreamFlow.Orchestrations.</summary>
public sealed class FederationTriggers(
    FederationMemberService members, PullFederationMemberActivity pullMember, TimeProvider time, ILogger<FederationTriggers> logger)
{
    /// <summary>Starts one pull per member per schedule slot; the slot in the instance id keeps a doubled firing from pulling twice.</summary>
    [Function("PullFederationMembers")]
    public async Task PullAll([TimerTrigger("%Federation:PullSchedule%")] TimerInfo timer, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var slot = time.GetUtcNow().ToString("yyyyMMddHHmm", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var member in await members.ListAsync(cancellationToken))
        {
            var instanceId = $"federation-pull-{member.Id:N}-{slot}";
            if (await durable.GetInstanceAsync(instanceId, cancellationToken) is null)
            {
                await durable.ScheduleNewOrchestrationInstanceAsync(
                    TaskNames.FederationPull, new FederationPullInput(member.Id), new StartOrchestrationOptions(instanceId), cancellationToken);
            }
        }

        logger.LogInformation("Federation pulls scheduled for slot {Slot}", slot);
    }

    [Function(TaskNames.FederationPull)]
    public static Task<FederationMemberView> FederationPull([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new FederationPullOrchestrator().RunAsync(context, context.GetInput<FederationPullInput>()!);

    [Function(TaskNames.PullFederationMember)]
    public Task<FederationMemberView> PullFederationMember([ActivityTrigger] FederationPullInput input) =>
        pullMember.RunAsync(new FunctionActivityContext(TaskNames.PullFederationMember), input);
}
