using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.LeadSources.GoogleLsa;

/// <summary>A lead of a Local Services connection that was won or lost in StreamFlow and whose outcome Google has not been told.</summary>
internal sealed record ClosedLsaLead(Guid LeadId, string ResourceName, string Outcome, string? LostReason);

/// <summary>A Local Services connection owing feedback (lsa_feedback_due), as claimed: its due time clears only its own mark.</summary>
public sealed record LsaFeedbackDue(Guid TenantId, Guid ConnectionId, DateTimeOffset DueAt);

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

    // Across tenants: a SECURITY DEFINER function (infra/db/functions/lsa_feedback_claim_due.sql).
    private const string ClaimDueSql = """
        SELECT due_tenant_id AS TenantId, due_connection_id AS ConnectionId, due_at AS DueAt FROM lsa_feedback_claim_due(@LeaseSeconds, @Max)
        """;

    // A mark set again after the claim (another lead closed) has a later due time and stays for the next claim.
    private const string ClearDueSql = "DELETE FROM lsa_feedback_due WHERE connection_id = @ConnectionId AND due_at <= @DueAt";

    public static async Task<IReadOnlyList<ClosedLsaLead>> ClosedAsync(DbTransactionScope scope, string source, Guid connectionId, string entity, int limit) =>
        (await scope.Connection.QueryAsync<ClosedLsaLead>(scope.Command(ClosedSql, new { Source = source, ConnectionId = connectionId, Entity = entity, Limit = limit }))).ToList();

    public static async Task<IReadOnlyList<LsaFeedbackDue>> ClaimDueAsync(DbTransactionScope scope, int leaseSeconds, int max) =>
        (await scope.Connection.QueryAsync<LsaFeedbackDue>(scope.Command(ClaimDueSql, new { LeaseSeconds = leaseSeconds, Max = max }))).ToList();

    public static Task ClearDueAsync(DbTransactionScope scope, Guid connectionId, DateTimeOffset dueAt) =>
        scope.Connection.ExecuteAsync(scope.Command(ClearDueSql, new { ConnectionId = connectionId, DueAt = dueAt }));
}
