using StreamFlow.Core.Database;

namespace StreamFlow.Core.LeadSources.GoogleLsa;

/// <summary>
/// The Local Services connections owing feedback since one of their leads was won or lost: marked in the outcome's own
/// transaction by the database (trigger lsa_feedback_from_event on the lead.converted / lead.lost event), claimed here by
/// the timer that starts their feedback-only syncs, and cleared once such a sync was opened.
/// </summary>
public sealed class GoogleLsaFeedbackQueue(StreamFlowDatabase database)
{
    /// <summary>Claims up to <paramref name="max"/> marks for <paramref name="lease"/>; one not cleared comes back after it.</summary>
    public Task<IReadOnlyList<LsaFeedbackDue>> ClaimAsync(int max, TimeSpan lease, CancellationToken cancellationToken) =>
        database.InPlatformAsync(scope => GoogleLsaFeedbackStore.ClaimDueAsync(scope, (int)Math.Ceiling(lease.TotalSeconds), max), cancellationToken);

    /// <summary>Clears the claimed mark; one set again since (a later outcome) stays.</summary>
    public Task ClearAsync(LsaFeedbackDue due, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(due);
        return database.InTenantAsync(due.TenantId, async scope =>
        {
            await GoogleLsaFeedbackStore.ClearDueAsync(scope, due.ConnectionId, due.DueAt);
            return true;
        }, cancellationToken);
    }
}
