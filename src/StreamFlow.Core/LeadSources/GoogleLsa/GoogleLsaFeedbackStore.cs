using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.LeadSources.GoogleLsa;

/// <summary>A lead of a Local Services connection that was won or lost in StreamFlow and whose outcome Google has not been told.</summary>
internal sealed record ClosedLsaLead(Guid LeadId, string ResourceName, string Outcome, string? LostReason);

internal static class GoogleLsaFeedbackStore
{
    // The connection's own id map (connector_records, entity lsa_feedback) remembers which outcomes were sent.
    private const string ClosedSql = """
        SELECT l.id AS LeadId, s.external_id AS ResourceName, l.outcome AS Outcome, l.lost_reason AS LostReason
        FROM lead_source_links s JOIN leads l ON l.id = s.lead_id
        WHERE s.source = @Source AND s.connection_id = @ConnectionId AND l.outcome IS NOT NULL AND l.deleted_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM connector_records r WHERE r.connection_id = @ConnectionId AND r.entity = @Entity AND r.local_id = l.id)
        ORDER BY l.outcome_at, l.id
        LIMIT @Limit
        """;

    public static async Task<IReadOnlyList<ClosedLsaLead>> ClosedAsync(DbTransactionScope scope, string source, Guid connectionId, string entity, int limit) =>
        (await scope.Connection.QueryAsync<ClosedLsaLead>(scope.Command(ClosedSql, new { Source = source, ConnectionId = connectionId, Entity = entity, Limit = limit }))).ToList();
}
