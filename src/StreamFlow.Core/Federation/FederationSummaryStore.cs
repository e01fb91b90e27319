using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Federation;

/// <summary>Client aggregates through the SECURITY DEFINER function federation_client_summaries (infra/db/functions).</summary>
internal static class FederationSummaryStore
{
    private const string ListSql = """
        SELECT tenant_id AS TenantId, tenant_name AS TenantName, industry AS Industry, tenant_status AS TenantStatus,
               active_users AS ActiveUsers, leads_created AS LeadsCreated, leads_won AS LeadsWon, leads_lost AS LeadsLost,
               won_revenue::text AS WonRevenue, last_sign_in_at AS LastSignInAt
        FROM federation_client_summaries(@Since, @AsOf)
        """;

    public static async Task<IReadOnlyList<FederationSummaryRow>> ListAsync(DbTransactionScope scope, DateTimeOffset since, DateTimeOffset asOf) =>
        (await scope.Connection.QueryAsync<FederationSummaryRow>(scope.Command(ListSql, new { Since = since, AsOf = asOf }))).AsList();
}

internal sealed record FederationSummaryRow
{
    public Guid TenantId { get; init; }
    public string TenantName { get; init; } = "";
    public string Industry { get; init; } = "";
    public string TenantStatus { get; init; } = "";
    public long ActiveUsers { get; init; }
    public long LeadsCreated { get; init; }
    public long LeadsWon { get; init; }
    public long LeadsLost { get; init; }
    public string WonRevenue { get; init; } = "{}";
    public DateTimeOffset? LastSignInAt { get; init; }
}
