using StreamFlow.Core.Database;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Outbox;

namespace StreamFlow.Core.Scoring;

/// <summary>Rules and model now, in the change's transaction; the AI re-score later, from the work outbox, when the tenant has AI on.</summary>
internal sealed class ChangedLeadScorer(LeadScoringService scoring, WorkOutbox work) : IChangedLeadScorer
{
    public async Task ScoreInTransactionAsync(DbTransactionScope scope, Guid tenantId, Guid leadId)
    {
        var (_, aiEnabled) = await scoring.ScoreInTransactionAsync(scope, tenantId, [leadId], null);
        if (aiEnabled)
        {
            await work.AddAsync(scope, tenantId, WorkKinds.LeadAiRescore, leadId);
        }
    }

    public async Task<Lead> ScoreNewInTransactionAsync(DbTransactionScope scope, Guid tenantId, Task<Lead> inserted, bool needsRouting)
    {
        var (scored, aiEnabled) = await scoring.ScoreNewInTransactionAsync(scope, tenantId, inserted, needsRouting);
        if (aiEnabled)
        {
            await work.AddAsync(scope, tenantId, WorkKinds.LeadAiRescore, scored.Id);
        }

        return scored;
    }

    public async Task ScoreManyInTransactionAsync(DbTransactionScope scope, Guid tenantId, IReadOnlyList<Guid> leadIds)
    {
        ArgumentNullException.ThrowIfNull(leadIds);
        if (leadIds.Count == 0)
        {
            return;
        }

        var (_, aiEnabled) = await scoring.ScoreInTransactionAsync(scope, tenantId, leadIds, null);
        if (aiEnabled)
        {
            await work.AddManyAsync(scope, tenantId, WorkKinds.LeadAiRescore, leadIds.ToArray());
        }
    }
}
