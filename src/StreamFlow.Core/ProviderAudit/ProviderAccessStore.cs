using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.ProviderAudit;

/// <summary>
/// The SQL of the provider-access trail: a business's audit entries written by the provider system (audit_log, read
/// in the business's transaction, so row-level security keeps it to that business).
/// </summary>
internal static class ProviderAccessStore
{
    private const string TenantExistsSql = "SELECT EXISTS (SELECT 1 FROM tenants WHERE id = @TenantId)";

    private const string EntriesSql = """
        SELECT sequence AS Sequence, occurred_at AS OccurredAt, actor AS Actor, action AS Action, target AS Target, outcome AS Outcome,
               ip AS Ip, user_agent AS UserAgent, details::text AS Details
        FROM audit_log
        WHERE system = 'provider' AND occurred_at >= @From AND occurred_at < @To
        ORDER BY sequence
        LIMIT @Limit
        """;

    public static Task<bool> TenantExistsAsync(DbTransactionScope scope, Guid tenantId) =>
        scope.Connection.ExecuteScalarAsync<bool>(scope.Command(TenantExistsSql, new { TenantId = tenantId }));

    public static async Task<IReadOnlyList<ProviderAccessRow>> EntriesAsync(DbTransactionScope scope, DateTimeOffset from, DateTimeOffset to, int limit) =>
        (await scope.Connection.QueryAsync<ProviderAccessRow>(scope.Command(EntriesSql, new { From = from, To = to, Limit = limit }))).AsList();
}

internal sealed record ProviderAccessRow(long Sequence, DateTimeOffset OccurredAt, string Actor, string Action, string? Target, string Outcome, string? Ip, string? UserAgent, string Details);
