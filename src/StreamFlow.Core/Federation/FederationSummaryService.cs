using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Federation;

/// <summary>One client business as a member instance reports it to its hub: counts and sums, no personal data.</summary>
public sealed record FederationClientSummary(
    Guid TenantId, string Name, string Industry, string Status, long ActiveUsers, long LeadsCreated, long LeadsWon, long LeadsLost,
    IReadOnlyDictionary<string, decimal> WonRevenue, DateTimeOffset? LastSignInAt);

/// <summary>What a member answers its hub: the window the figures cover and each client's summary.</summary>
public sealed record FederationClientSummaries(DateTimeOffset Since, DateTimeOffset AsOf, IReadOnlyList<FederationClientSummary> Clients);

/// <summary>Aggregates of every client business on this instance, for a federation hub that proved who it is.</summary>
public sealed class FederationSummaryService(StreamFlowDatabase database, IOptions<FederationOptions> options, TimeProvider time)
{
    public async Task<FederationClientSummaries> SummariesAsync(CancellationToken cancellationToken)
    {
        var asOf = time.GetUtcNow();
        var since = asOf - options.Value.SummaryWindow;
        var rows = await database.InPlatformAsync(scope => FederationSummaryStore.ListAsync(scope, since, asOf), cancellationToken);
        return new FederationClientSummaries(since, asOf, rows.Select(r => new FederationClientSummary(
            r.TenantId, r.TenantName, r.Industry, r.TenantStatus, r.ActiveUsers, r.LeadsCreated, r.LeadsWon, r.LeadsLost,
            JsonSerializer.Deserialize<Dictionary<string, decimal>>(r.WonRevenue) ?? [], r.LastSignInAt)).ToList());
    }
}

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
