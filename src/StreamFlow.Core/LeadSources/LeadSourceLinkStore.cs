using Dapper;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.LeadSources;

internal sealed record LeadSourceLink(string ExternalId, Guid LeadId, string? Status);

internal sealed record LeadSourceLinkRow(
    string Source, string ExternalId, string? Status, Guid? ConnectionId, decimal? CostAmount, string? CostCurrency, DateTimeOffset FirstSeenAt, DateTimeOffset LastSeenAt);

internal static class LeadSourceLinkStore
{
    private const string FindManySql = """
        SELECT external_id AS ExternalId, lead_id AS LeadId, status AS Status FROM lead_source_links
        WHERE source = @Source AND external_id = ANY(@ExternalIds)
        """;

    private const string InsertSql = """
        INSERT INTO lead_source_links (tenant_id, source, external_id, lead_id, connection_id, status, cost_amount, cost_currency, first_seen_at, last_seen_at)
        VALUES (@TenantId, @Source, @ExternalId, @LeadId, @ConnectionId, @Status, @CostAmount, @CostCurrency, @Now, @Now)
        ON CONFLICT (tenant_id, source, external_id) DO NOTHING
        """;

    // Many records of one source at once (a sync page's new records); those another writer linked first are not returned.
    private const string InsertManySql = """
        INSERT INTO lead_source_links (tenant_id, source, external_id, lead_id, connection_id, status, cost_amount, cost_currency, first_seen_at, last_seen_at)
        SELECT @TenantId, @Source, x.external_id, x.lead_id, @ConnectionId, x.status, x.cost_amount, x.cost_currency, @Now, @Now
        FROM unnest(@ExternalIds::text[], @LeadIds::uuid[], @Statuses::text[], @CostAmounts::numeric[], @CostCurrencies::text[])
            AS x (external_id, lead_id, status, cost_amount, cost_currency)
        ON CONFLICT (tenant_id, source, external_id) DO NOTHING
        RETURNING external_id
        """;

    // Many records of one source seen again at once: each link's status and last sighting, its cost when the record has one.
    private const string TouchManySql = """
        UPDATE lead_source_links AS l SET status = x.status, last_seen_at = @Now,
            cost_amount = COALESCE(x.cost_amount, l.cost_amount), cost_currency = COALESCE(x.cost_currency, l.cost_currency)
        FROM unnest(@ExternalIds::text[], @Statuses::text[], @CostAmounts::numeric[], @CostCurrencies::text[]) AS x (external_id, status, cost_amount, cost_currency)
        WHERE l.source = @Source AND l.external_id = x.external_id
        """;

    private const string FindSql = "SELECT external_id AS ExternalId, lead_id AS LeadId, status AS Status FROM lead_source_links WHERE source = @Source AND external_id = @ExternalId";

    private const string ForLeadSql = """
        SELECT source AS Source, external_id AS ExternalId, status AS Status, connection_id AS ConnectionId, cost_amount AS CostAmount,
               cost_currency AS CostCurrency, first_seen_at AS FirstSeenAt, last_seen_at AS LastSeenAt
        FROM lead_source_links WHERE lead_id = @LeadId ORDER BY first_seen_at, source, external_id
        """;

    // A source that prices its records (a Local Services lead later charged or credited) moves the cost; one that does not leaves it.
    private const string TouchSql = """
        UPDATE lead_source_links SET status = @Status, last_seen_at = @Now,
            cost_amount = COALESCE(@CostAmount::numeric, cost_amount), cost_currency = COALESCE(@CostCurrency::text, cost_currency)
        WHERE source = @Source AND external_id = @ExternalId
        """;

    public static async Task<IReadOnlyDictionary<string, LeadSourceLink>> FindManyAsync(DbTransactionScope scope, string source, string[] externalIds) =>
        (await scope.Connection.QueryAsync<LeadSourceLink>(scope.Command(FindManySql, new { Source = source, ExternalIds = externalIds })))
            .ToDictionary(link => link.ExternalId, StringComparer.Ordinal);

    public static Task<LeadSourceLink?> FindAsync(DbTransactionScope scope, string source, string externalId) =>
        scope.Connection.QuerySingleOrDefaultAsync<LeadSourceLink>(scope.Command(FindSql, new { Source = source, ExternalId = externalId }));

    /// <summary>False when another writer linked the same record first.</summary>
    public static async Task<bool> InsertAsync(
        DbTransactionScope scope, Guid tenantId, string source, string externalId, Guid leadId, Guid? connectionId, string? status, Money? cost, DateTimeOffset now) =>
        await scope.Connection.ExecuteAsync(scope.Command(InsertSql, new
        {
            TenantId = tenantId, Source = source, ExternalId = externalId, LeadId = leadId, ConnectionId = connectionId, Status = status,
            CostAmount = cost is null ? (decimal?)null : decimal.Parse(cost.Amount, System.Globalization.CultureInfo.InvariantCulture), CostCurrency = cost?.Currency, Now = now,
        })) == 1;

    /// <summary>Links each (external id, lead) pair; returns the external ids linked now (not those another writer linked first).</summary>
    public static async Task<IReadOnlySet<string>> InsertManyAsync(
        DbTransactionScope scope, Guid tenantId, string source, Guid? connectionId, IReadOnlyList<(string ExternalId, Guid LeadId, string? Status, Money? Cost)> links, DateTimeOffset now) =>
        (await scope.QueryAsync<string>(InsertManySql, new
        {
            TenantId = tenantId, Source = source, ConnectionId = connectionId, Now = now,
            ExternalIds = links.Select(l => l.ExternalId).ToArray(), LeadIds = links.Select(l => l.LeadId).ToArray(),
            Statuses = links.Select(l => l.Status).ToArray(),
            CostAmounts = links.Select(l => l.Cost is null ? (decimal?)null : decimal.Parse(l.Cost.Amount, System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            CostCurrencies = links.Select(l => l.Cost?.Currency).ToArray(),
        })).ToHashSet(StringComparer.Ordinal);

    public static async Task<IReadOnlyList<LeadSourceLinkRow>> ForLeadAsync(DbTransactionScope scope, Guid leadId) =>
        (await scope.Connection.QueryAsync<LeadSourceLinkRow>(scope.Command(ForLeadSql, new { LeadId = leadId }))).ToList();

    public static Task TouchAsync(DbTransactionScope scope, string source, string externalId, string? status, DateTimeOffset now, Money? cost = null) =>
        scope.Connection.ExecuteAsync(scope.Command(TouchSql, new
        {
            Source = source, ExternalId = externalId, Status = status, Now = now,
            CostAmount = cost is null ? (decimal?)null : decimal.Parse(cost.Amount, System.Globalization.CultureInfo.InvariantCulture), CostCurrency = cost?.Currency,
        }));

    /// <summary><see cref="TouchAsync"/> for many records of one source, in one statement.</summary>
    public static Task TouchManyAsync(DbTransactionScope scope, string source, IReadOnlyList<(string ExternalId, string? Status, Money? Cost)> records, DateTimeOffset now) =>
        scope.ExecuteAsync(TouchManySql, new
        {
            Source = source, Now = now, ExternalIds = records.Select(r => r.ExternalId).ToArray(), Statuses = records.Select(r => r.Status).ToArray(),
            CostAmounts = records.Select(r => r.Cost is null ? (decimal?)null : decimal.Parse(r.Cost.Amount, System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            CostCurrencies = records.Select(r => r.Cost?.Currency).ToArray(),
        });
}
