using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.LeadSources;

internal sealed record LeadSourceLink(string ExternalId, Guid LeadId, string? Status);

internal static class LeadSourceLinkStore
{
    private const string FindManySql = """
        SELECT external_id AS ExternalId, lead_id AS LeadId, status AS Status FROM lead_source_links
        WHERE source = @Source AND external_id = ANY(@ExternalIds)
        """;

    private const string InsertSql = """
        INSERT INTO lead_source_links (tenant_id, source, external_id, lead_id, connection_id, status, first_seen_at, last_seen_at)
        VALUES (@TenantId, @Source, @ExternalId, @LeadId, @ConnectionId, @Status, @Now, @Now)
        ON CONFLICT (tenant_id, source, external_id) DO NOTHING
        """;

    private const string FindSql = "SELECT external_id AS ExternalId, lead_id AS LeadId, status AS Status FROM lead_source_links WHERE source = @Source AND external_id = @ExternalId";

    private const string TouchSql = "UPDATE lead_source_links SET status = @Status, last_seen_at = @Now WHERE source = @Source AND external_id = @ExternalId";

    public static async Task<IReadOnlyDictionary<string, LeadSourceLink>> FindManyAsync(DbTransactionScope scope, string source, string[] externalIds) =>
        (await scope.Connection.QueryAsync<LeadSourceLink>(scope.Command(FindManySql, new { Source = source, ExternalIds = externalIds })))
            .ToDictionary(link => link.ExternalId, StringComparer.Ordinal);

    public static Task<LeadSourceLink?> FindAsync(DbTransactionScope scope, string source, string externalId) =>
        scope.Connection.QuerySingleOrDefaultAsync<LeadSourceLink>(scope.Command(FindSql, new { Source = source, ExternalId = externalId }));

    /// <summary>False when another writer linked the same record first.</summary>
    public static async Task<bool> InsertAsync(
        DbTransactionScope scope, Guid tenantId, string source, string externalId, Guid leadId, Guid? connectionId, string? status, DateTimeOffset now) =>
        await scope.Connection.ExecuteAsync(scope.Command(InsertSql, new
        {
            TenantId = tenantId, Source = source, ExternalId = externalId, LeadId = leadId, ConnectionId = connectionId, Status = status, Now = now,
        })) == 1;

    public static Task TouchAsync(DbTransactionScope scope, string source, string externalId, string? status, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(TouchSql, new { Source = source, ExternalId = externalId, Status = status, Now = now }));
}
