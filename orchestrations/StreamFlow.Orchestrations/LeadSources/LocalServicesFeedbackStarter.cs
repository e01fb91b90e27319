using Microsoft.DurableTask.Client;
using StreamFlow.Core.LeadSources.GoogleLsa;
using StreamFlow.Orchestrations.Connections;

namespace StreamFlow.Orchestrations.LeadSources;

/// <summary>
/// Starts a feedback-only sync (trigger <c>feedback</c>) of each Local Services connection owing feedback since one of its
/// leads was won or lost, so that Google hears the outcome within seconds rather than at the next scheduled sync. The
/// sync is the connection's ordinary one (one at a time, Retry-After and 5xx retries, refusals recorded and not resent);
/// a connection already syncing keeps its mark, which the claim's lease brings back once that sync is over.
/// </summary>
public sealed class LocalServicesFeedbackStarter(GoogleLsaFeedbackQueue queue, ConnectionSyncLauncher launcher)
{
    public static readonly TimeSpan ClaimLease = TimeSpan.FromSeconds(20);

    public async Task<int> StartDueAsync(DurableTaskClient client, CancellationToken cancellationToken)
    {
        var started = 0;
        foreach (var due in await queue.ClaimAsync(100, ClaimLease, cancellationToken))
        {
            var opening = await launcher.StartAsync(client, due.TenantId, due.ConnectionId, GoogleLsaConnector.FeedbackTrigger, cancellationToken);
            if (!opening.Succeeded || opening.Value.Opened)
            {
                // Opened: the sync sends what is owed. Not found: the connection is gone.
                await queue.ClearAsync(due, cancellationToken);
                started += opening.Succeeded ? 1 : 0;
            }
        }

        return started;
    }
}
