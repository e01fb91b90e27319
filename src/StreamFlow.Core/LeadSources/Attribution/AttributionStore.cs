using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.LeadSources.Attribution;

internal static class AttributionStore
{
    private const string UpsertCostSql = """
        INSERT INTO lead_source_costs (tenant_id, source, monthly_amount, currency, updated_at) VALUES (@TenantId, @Source, @Amount, @Currency, @Now)
        ON CONFLICT (tenant_id, source) DO UPDATE SET monthly_amount = EXCLUDED.monthly_amount, currency = EXCLUDED.currency, updated_at = EXCLUDED.updated_at
        RETURNING source AS Source, monthly_amount AS MonthlyAmount, currency AS Currency, updated_at AS UpdatedAt
        """;

    private const string CostsSql = "SELECT source AS Source, monthly_amount AS MonthlyAmount, currency AS Currency, updated_at AS UpdatedAt FROM lead_source_costs ORDER BY source";

    private const string DeleteCostSql = "DELETE FROM lead_source_costs WHERE source = @Source";

    // Leads without a source are reported under "" so that the totals add up to every lead of the period.
    private const string CountsSql = """
        SELECT COALESCE(source, '') AS Source, count(*)::int AS Leads, (count(*) FILTER (WHERE outcome = 'won'))::int AS Won
        FROM leads WHERE deleted_at IS NULL AND created_at >= @From AND created_at < @To
        GROUP BY 1 ORDER BY 1
        """;

    private const string RevenueSql = """
        SELECT COALESCE(source, '') AS Source, won_currency AS Currency, sum(won_amount) AS Amount
        FROM leads WHERE deleted_at IS NULL AND outcome = 'won' AND won_amount IS NOT NULL AND created_at >= @From AND created_at < @To
        GROUP BY 1, 2
        """;

    private const string PerLeadCostSql = """
        SELECT COALESCE(l.source, '') AS Source, k.cost_currency AS Currency, sum(k.cost_amount) AS Amount
        FROM lead_source_links AS k JOIN leads AS l ON l.id = k.lead_id
        WHERE k.cost_amount IS NOT NULL AND l.deleted_at IS NULL AND l.created_at >= @From AND l.created_at < @To
        GROUP BY 1, 2
        """;

    private const string SetLeadCostSql = "UPDATE lead_source_links SET cost_amount = @Amount, cost_currency = @Currency WHERE source = @Source AND external_id = @ExternalId";

    public static Task<SourceCostRow> UpsertCostAsync(DbTransactionScope scope, Guid tenantId, string source, decimal amount, string currency, DateTimeOffset now) =>
        scope.Connection.QuerySingleAsync<SourceCostRow>(scope.Command(UpsertCostSql, new { TenantId = tenantId, Source = source, Amount = amount, Currency = currency, Now = now }));

    public static async Task<IReadOnlyList<SourceCostRow>> CostsAsync(DbTransactionScope scope) =>
        (await scope.Connection.QueryAsync<SourceCostRow>(scope.Command(CostsSql))).ToList();

    public static async Task<bool> DeleteCostAsync(DbTransactionScope scope, string source) =>
        await scope.Connection.ExecuteAsync(scope.Command(DeleteCostSql, new { Source = source })) == 1;

    public static async Task<IReadOnlyList<SourceCount>> CountsAsync(DbTransactionScope scope, DateTimeOffset from, DateTimeOffset to) =>
        (await scope.Connection.QueryAsync<SourceCount>(scope.Command(CountsSql, new { From = from, To = to }))).ToList();

    public static async Task<IReadOnlyList<SourceAmount>> RevenueAsync(DbTransactionScope scope, DateTimeOffset from, DateTimeOffset to) =>
        (await scope.Connection.QueryAsync<SourceAmount>(scope.Command(RevenueSql, new { From = from, To = to }))).ToList();

    public static async Task<IReadOnlyList<SourceAmount>> PerLeadCostsAsync(DbTransactionScope scope, DateTimeOffset from, DateTimeOffset to) =>
        (await scope.Connection.QueryAsync<SourceAmount>(scope.Command(PerLeadCostSql, new { From = from, To = to }))).ToList();

    public static Task SetLeadCostAsync(DbTransactionScope scope, string source, string externalId, decimal amount, string currency) =>
        scope.Connection.ExecuteAsync(scope.Command(SetLeadCostSql, new { Source = source, ExternalId = externalId, Amount = amount, Currency = currency }));
}
