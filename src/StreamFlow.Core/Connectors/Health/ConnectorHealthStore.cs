using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Connectors.Health;

internal sealed record ConnectionHealthRow(
    Guid Id, string Kind, string Name, string Health, bool Enabled, string Schedule, DateTimeOffset? LastSyncAt, DateTimeOffset? LastSuccessAt,
    string? LastError, string? LastErrorKind, DateTimeOffset? LastErrorAt, DateTimeOffset? NextSyncAt, DateTimeOffset CreatedAt, int ConsecutiveFailures);

/// <summary>The SQL of connection health: the connections with their failed syncs since the last success, and the once-per-breakage alert claim.</summary>
internal static class ConnectorHealthStore
{
    // Consecutive failures: the failed syncs that finished after the last success (every one since creation if none).
    private const string HealthSql = """
        SELECT c.id AS Id, c.kind AS Kind, c.name AS Name, c.health AS Health, c.enabled AS Enabled, c.schedule AS Schedule, c.last_sync_at AS LastSyncAt,
               c.last_success_at AS LastSuccessAt, c.last_error AS LastError, c.last_error_kind AS LastErrorKind, c.last_error_at AS LastErrorAt,
               c.next_sync_at AS NextSyncAt, c.created_at AS CreatedAt,
               (SELECT count(*)::int FROM connection_syncs s
                WHERE s.connection_id = c.id AND s.status = 'failed' AND s.finished_at > COALESCE(c.last_success_at, '-infinity'::timestamptz)) AS ConsecutiveFailures
        FROM connections c
        WHERE (@Id::uuid IS NULL OR c.id = @Id)
        ORDER BY c.name, c.id
        """;

    private const string ClaimAlertSql = """
        INSERT INTO connection_failure_alerts (tenant_id, connection_id, streak_started_at, failures, sent_at)
        VALUES (@TenantId, @ConnectionId, @StreakStartedAt, @Failures, @Now)
        ON CONFLICT DO NOTHING
        """;

    public static async Task<IReadOnlyList<ConnectionHealthRow>> HealthAsync(DbTransactionScope scope, Guid? connectionId) =>
        (await scope.Connection.QueryAsync<ConnectionHealthRow>(scope.Command(HealthSql, new { Id = connectionId }))).ToList();

    public static async Task<bool> ClaimAlertAsync(DbTransactionScope scope, Guid tenantId, Guid connectionId, DateTimeOffset streakStartedAt, int failures, DateTimeOffset now) =>
        await scope.Connection.ExecuteAsync(scope.Command(ClaimAlertSql, new
        {
            TenantId = tenantId, ConnectionId = connectionId, StreakStartedAt = streakStartedAt, Failures = failures, Now = now,
        })) == 1;
}
