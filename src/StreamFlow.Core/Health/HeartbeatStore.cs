using System.Text.Json;
using Dapper;
using Npgsql;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;

namespace StreamFlow.Core.Health;

/// <summary>Keeps what each heartbeat saw, so operators can see when a dependency went away.</summary>
public sealed class HeartbeatStore(StreamFlowDatabase database)
{
    private const string InsertSql = """
        INSERT INTO platform_heartbeats (checked_at, status, checks)
        VALUES (@CheckedAt, @Status, @Checks::jsonb)
        """;

    // A round trip outside any transaction: the health probe asks only whether PostgreSQL answers.
    private const string ProbeSql = "SELECT 1";

    private const string RecentSql = """
        SELECT checked_at AS CheckedAt, status AS Status, checks::text AS Checks
        FROM platform_heartbeats
        ORDER BY checked_at DESC
        LIMIT @Limit
        """;

    public Task RecordAsync(HealthReport report, CancellationToken cancellationToken) =>
        database.InPlatformAsync(scope => scope.Connection.ExecuteAsync(scope.Command(InsertSql, new
        {
            report.CheckedAt,
            report.Status,
            Checks = JsonSerializer.Serialize(report.Checks, StreamFlowJson.Options),
        })), cancellationToken);

    public Task<IReadOnlyList<HealthReport>> RecentAsync(int limit, CancellationToken cancellationToken) =>
        database.InPlatformAsync<IReadOnlyList<HealthReport>>(async scope =>
        {
            var rows = await scope.Connection.QueryAsync<(DateTime CheckedAt, string Status, string Checks)>(
                scope.Command(RecentSql, new { Limit = limit }));
            return rows.Select(row => new HealthReport(
                row.Status,
                JsonSerializer.Deserialize<Dictionary<string, HealthCheckResult>>(row.Checks, StreamFlowJson.Options)!,
                new DateTimeOffset(DateTime.SpecifyKind(row.CheckedAt, DateTimeKind.Utc)))).ToList();
        }, cancellationToken);

    public static async Task ProbeAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ProbeSql);
        await command.ExecuteScalarAsync(cancellationToken);
    }
}
