using StreamFlow.Core.Database;

namespace StreamFlow.Core.Leads;

/// <summary>
/// Scores a lead inside the transaction that created or changed it, so the answer already carries the score (rules and
/// the serving model, in process). Scoring implements it and depends on Leads, so Leads reaches it through this seam.
/// Work that needs the durable backend (the AI re-score) goes into the work outbox of the same transaction.
/// </summary>
public interface IChangedLeadScorer
{
    Task ScoreInTransactionAsync(DbTransactionScope scope, Guid tenantId, Guid leadId);

    /// <summary>
    /// Scores (and routes, when it has no owner) a lead whose insert or update is still held back in <paramref name="scope"/>:
    /// <paramref name="inserted"/> completes with the row the statement returns, which arrives in the same round trip as
    /// the scoring context. Returns the lead as it will be committed, so the caller need not read it again.
    /// </summary>
    Task<Lead> ScoreNewInTransactionAsync(DbTransactionScope scope, Guid tenantId, Task<Lead> inserted, bool needsRouting);

    /// <summary>The same for many leads of one transaction at once: settings, model and routing are loaded once.</summary>
    Task ScoreManyInTransactionAsync(DbTransactionScope scope, Guid tenantId, IReadOnlyList<Guid> leadIds);
}
