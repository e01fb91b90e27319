namespace StreamFlow.Core.Leads.Import;

/// <summary>
/// Scores the leads an import chunk has just written. Scoring implements it (and depends on Leads), so the import
/// reaches scoring through this seam rather than by depending on Scoring in return.
/// </summary>
public interface IImportedLeadScorer
{
    Task ScoreImportedAsync(Guid tenantId, IReadOnlyList<Guid> leadIds, CancellationToken cancellationToken);
}
