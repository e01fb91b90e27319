using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Connectors.ServiceTitan;

/// <summary>
/// The claim that makes a lead's booking be created at most once per connection: taken in the id map (entity
/// <c>booking</c>, status <c>sending</c>) before the POST; a claim found later means an answer was lost, and ServiceTitan
/// is asked for the booking by its external id before anything is sent again.
/// </summary>
internal static class ServiceTitanBookingStore
{
    private const string ClaimSql = """
        INSERT INTO connector_records (tenant_id, connection_id, entity, local_id, external_id, remote_status, created_at, updated_at)
        VALUES (@TenantId, @ConnectionId, 'booking', @LeadId, @Pending, 'sending', @Now, @Now)
        ON CONFLICT DO NOTHING
        """;

    private const string ReleaseSql = """
        DELETE FROM connector_records WHERE connection_id = @ConnectionId AND entity = 'booking' AND local_id = @LeadId AND remote_status = 'sending'
        """;

    public static async Task<bool> ClaimAsync(DbTransactionScope scope, Guid tenantId, Guid connectionId, Guid leadId, DateTimeOffset now) =>
        await scope.Connection.ExecuteAsync(scope.Command(ClaimSql, new { TenantId = tenantId, ConnectionId = connectionId, LeadId = leadId, Pending = $"pending:{leadId:N}", Now = now })) == 1;

    public static Task ReleaseAsync(DbTransactionScope scope, Guid connectionId, Guid leadId) =>
        scope.Connection.ExecuteAsync(scope.Command(ReleaseSql, new { ConnectionId = connectionId, LeadId = leadId }));
}
