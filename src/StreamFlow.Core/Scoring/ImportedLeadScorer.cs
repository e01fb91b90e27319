using StreamFlow.Core.Leads.Import;

namespace StreamFlow.Core.Scoring;

/// <summary>Scores imported leads with rules and model only: an import has no per-lead AI signal.</summary>
internal sealed class ImportedLeadScorer(LeadScoringService scoring) : IImportedLeadScorer
{
    public Task ScoreImportedAsync(Guid tenantId, IReadOnlyList<Guid> leadIds, CancellationToken cancellationToken) =>
        scoring.ScoreAsync(tenantId, leadIds, null, cancellationToken);
}
