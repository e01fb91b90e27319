using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Connectors.ServiceTitan;

/// <summary>A ServiceTitan location kept until it is on its customer's lead.</summary>
internal sealed record StagedLocation(long LocationId, long CustomerId, string Label);

/// <summary>
/// The SQL of the batched ServiceTitan import: locations staged before the customers they belong to (table
/// servicetitan_locations, 0199). The customer leads a page of jobs copies are read through the lead service (their addresses are sealed).
/// </summary>
internal static class ServiceTitanImportStore
{
    // A location seen again unchanged keeps its applied mark; a changed one is applied again.
    private const string StageSql = """
        INSERT INTO servicetitan_locations (tenant_id, connection_id, location_id, customer_id, label, seen_at)
        SELECT @TenantId, @ConnectionId, l.location_id, l.customer_id, l.label, @Now
        FROM unnest(@LocationIds::bigint[], @CustomerIds::bigint[], @Labels::text[]) AS l (location_id, customer_id, label)
        ON CONFLICT (tenant_id, connection_id, location_id) DO UPDATE SET customer_id = EXCLUDED.customer_id, label = EXCLUDED.label, seen_at = EXCLUDED.seen_at,
            applied_at = CASE WHEN servicetitan_locations.customer_id = EXCLUDED.customer_id AND servicetitan_locations.label = EXCLUDED.label
                              THEN servicetitan_locations.applied_at END
        """;

    private const string OfCustomersSql = """
        SELECT location_id AS LocationId, customer_id AS CustomerId, label AS Label
        FROM servicetitan_locations WHERE connection_id = @ConnectionId AND customer_id = ANY (@CustomerIds) ORDER BY location_id
        """;

    private const string MarkAppliedSql = """
        UPDATE servicetitan_locations SET applied_at = @Now WHERE connection_id = @ConnectionId AND customer_id = ANY (@CustomerIds) AND applied_at IS NULL
        """;

    private const string UnappliedSql = """
        SELECT location_id AS LocationId, customer_id AS CustomerId, label AS Label
        FROM servicetitan_locations WHERE connection_id = @ConnectionId AND applied_at IS NULL AND location_id > @After
        ORDER BY location_id LIMIT @Limit
        """;

    public static Task StageAsync(DbTransactionScope scope, Guid tenantId, Guid connectionId, IReadOnlyList<StagedLocation> locations, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(StageSql, new
        {
            TenantId = tenantId, ConnectionId = connectionId, Now = now, LocationIds = locations.Select(l => l.LocationId).ToArray(),
            CustomerIds = locations.Select(l => l.CustomerId).ToArray(), Labels = locations.Select(l => l.Label).ToArray(),
        }));

    public static async Task<IReadOnlyList<StagedLocation>> OfCustomersAsync(DbTransactionScope scope, Guid connectionId, long[] customerIds) =>
        (await scope.Connection.QueryAsync<StagedLocation>(scope.Command(OfCustomersSql, new { ConnectionId = connectionId, CustomerIds = customerIds }))).ToList();

    public static Task MarkAppliedAsync(DbTransactionScope scope, Guid connectionId, long[] customerIds, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(MarkAppliedSql, new { ConnectionId = connectionId, CustomerIds = customerIds, Now = now }));

    public static async Task<IReadOnlyList<StagedLocation>> UnappliedAsync(DbTransactionScope scope, Guid connectionId, long after, int limit) =>
        (await scope.Connection.QueryAsync<StagedLocation>(scope.Command(UnappliedSql, new { ConnectionId = connectionId, After = after, Limit = limit }))).ToList();
}
