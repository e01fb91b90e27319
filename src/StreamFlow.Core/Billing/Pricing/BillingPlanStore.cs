using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Billing.Pricing;

/// <summary>The SQL of billing plans, a platform table (the provider's catalogue): run with no tenant set.</summary>
internal static class BillingPlanStore
{
    private const string Columns = """
        id AS Id, code AS Code, name AS Name, currency AS Currency, base_fee AS BaseFee, seat_price AS SeatPrice,
        included_leads AS IncludedLeads, lead_price AS LeadPrice, ai_markup_rate AS AiMarkupRate,
        archived_at AS ArchivedAt, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    private const string InsertSql = """
        INSERT INTO billing_plans (id, code, name, currency, base_fee, seat_price, included_leads, lead_price, ai_markup_rate, created_at, updated_at)
        VALUES (@Id, @Code, @Name, @Currency, @BaseFee, @SeatPrice, @IncludedLeads, @LeadPrice, @AiMarkupRate, @CreatedAt, @UpdatedAt)
        """;

    private const string UpdateSql = """
        UPDATE billing_plans
        SET code = @Code, name = @Name, currency = @Currency, base_fee = @BaseFee, seat_price = @SeatPrice,
            included_leads = @IncludedLeads, lead_price = @LeadPrice, ai_markup_rate = @AiMarkupRate, updated_at = @UpdatedAt
        WHERE id = @Id
        """;

    private const string ArchiveSql = "UPDATE billing_plans SET archived_at = coalesce(archived_at, @Now), updated_at = @Now WHERE id = @Id";

    private const string GetSql = $"SELECT {Columns} FROM billing_plans WHERE id = @Id";

    private const string GetForUpdateSql = $"SELECT {Columns} FROM billing_plans WHERE id = @Id FOR UPDATE";

    private const string ListSql = $"SELECT {Columns} FROM billing_plans WHERE @IncludeArchived OR archived_at IS NULL ORDER BY code";

    public static Task InsertAsync(DbTransactionScope scope, PlanRow plan) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertSql, plan));

    public static Task UpdateAsync(DbTransactionScope scope, PlanRow plan) =>
        scope.Connection.ExecuteAsync(scope.Command(UpdateSql, plan));

    public static Task ArchiveAsync(DbTransactionScope scope, Guid id, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(ArchiveSql, new { Id = id, Now = now }));

    public static Task<PlanRow?> GetAsync(DbTransactionScope scope, Guid id, bool forUpdate = false) =>
        scope.Connection.QuerySingleOrDefaultAsync<PlanRow>(scope.Command(forUpdate ? GetForUpdateSql : GetSql, new { Id = id }));

    public static async Task<IReadOnlyList<PlanRow>> ListAsync(DbTransactionScope scope, bool includeArchived) =>
        (await scope.Connection.QueryAsync<PlanRow>(scope.Command(ListSql, new { IncludeArchived = includeArchived }))).AsList();

    internal sealed record PlanRow
    {
        public Guid Id { get; init; }
        public string Code { get; init; } = "";
        public string Name { get; init; } = "";
        public string Currency { get; init; } = "";
        public decimal BaseFee { get; init; }
        public decimal SeatPrice { get; init; }
        public int IncludedLeads { get; init; }
        public decimal LeadPrice { get; init; }
        public decimal AiMarkupRate { get; init; }
        public DateTimeOffset? ArchivedAt { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }

        public BillingPlan ToPlan() => new(
            Id, Code, Name, Currency, Prices.Format(BaseFee, Currency), Prices.Format(SeatPrice, Currency), IncludedLeads,
            Prices.Format(LeadPrice, Currency), AiMarkupRate * 100m, ArchivedAt, CreatedAt, UpdatedAt);
    }
}
