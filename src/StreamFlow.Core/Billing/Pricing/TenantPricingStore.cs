using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Billing.Pricing;

/// <summary>The SQL of a client's price history (append-only) and the facts a price change is checked against.</summary>
internal static class TenantPricingStore
{
    // The markup the AI gateway applies now (the price's markup is copied there when it takes effect).
    private const string AiMarkupSql = "SELECT markup_rate FROM ai_tenant_settings WHERE tenant_id = @TenantId";

    private const string InsertSql = """
        INSERT INTO tenant_pricing (id, tenant_id, effective_from, plan_id, currency, base_fee, seat_price, included_leads, lead_price,
                                    ai_markup_rate, discount_kind, discount_value, discount_ends_on, billing_day, trial_ends_on, tax_rate,
                                    recorded_at, recorded_by)
        VALUES (@Id, @TenantId, @EffectiveFrom, @PlanId, @Currency, @BaseFee, @SeatPrice, @IncludedLeads, @LeadPrice,
                @AiMarkupRate, @DiscountKind, @DiscountValue, @DiscountEndsOn, @BillingDay, @TrialEndsOn, @TaxRate,
                @RecordedAt, @RecordedBy)
        """;

    private const string HistorySql = """
        SELECT id AS Id, effective_from AS EffectiveFrom, plan_id AS PlanId, currency AS Currency, base_fee AS BaseFee,
               seat_price AS SeatPrice, included_leads AS IncludedLeads, lead_price AS LeadPrice, ai_markup_rate AS AiMarkupRate,
               discount_kind AS DiscountKind, discount_value AS DiscountValue, discount_ends_on AS DiscountEndsOn,
               billing_day AS BillingDay, trial_ends_on AS TrialEndsOn, tax_rate AS TaxRate,
               recorded_at AS RecordedAt, recorded_by AS RecordedBy
        FROM tenant_pricing
        ORDER BY effective_from DESC, recorded_at DESC
        """;

    private const string TenantExistsSql = "SELECT EXISTS (SELECT 1 FROM tenants WHERE id = @TenantId)";

    private const string LastFinalizedPeriodEndSql = "SELECT max(period_end) FROM invoices WHERE finalized_at IS NOT NULL";

    public static Task InsertAsync(DbTransactionScope scope, Guid tenantId, PricingRecord record)
    {
        var t = record.Terms;
        return scope.Connection.ExecuteAsync(scope.Command(InsertSql, new
        {
            record.Id,
            TenantId = tenantId,
            t.EffectiveFrom,
            t.PlanId,
            t.Currency,
            t.BaseFee,
            t.SeatPrice,
            t.IncludedLeads,
            t.LeadPrice,
            t.AiMarkupRate,
            DiscountKind = t.Discount?.Kind,
            DiscountValue = t.Discount?.Value,
            DiscountEndsOn = t.Discount?.EndsOn,
            BillingDay = (short)t.BillingDay,
            t.TrialEndsOn,
            t.TaxRate,
            record.RecordedAt,
            record.RecordedBy,
        }));
    }

    /// <summary>Every row, newest effective date first (RLS: the scope's tenant only).</summary>
    public static async Task<IReadOnlyList<PricingRecord>> HistoryAsync(DbTransactionScope scope) =>
        (await scope.Connection.QueryAsync<Row>(scope.Command(HistorySql))).Select(r => r.ToRecord()).ToList();

    public static Task<bool> TenantExistsAsync(DbTransactionScope scope, Guid tenantId) =>
        scope.Connection.ExecuteScalarAsync<bool>(scope.Command(TenantExistsSql, new { TenantId = tenantId }));

    /// <summary>The end of the latest finalized period: no price may take effect before it.</summary>
    public static Task<DateOnly?> LastFinalizedPeriodEndAsync(DbTransactionScope scope) =>
        scope.Connection.ExecuteScalarAsync<DateOnly?>(scope.Command(LastFinalizedPeriodEndSql));

    private sealed record Row
    {
        public Guid Id { get; init; }
        public DateOnly EffectiveFrom { get; init; }
        public Guid? PlanId { get; init; }
        public string Currency { get; init; } = "";
        public decimal BaseFee { get; init; }
        public decimal SeatPrice { get; init; }
        public int IncludedLeads { get; init; }
        public decimal LeadPrice { get; init; }
        public decimal AiMarkupRate { get; init; }
        public string? DiscountKind { get; init; }
        public decimal? DiscountValue { get; init; }
        public DateOnly? DiscountEndsOn { get; init; }
        public short BillingDay { get; init; }
        public DateOnly? TrialEndsOn { get; init; }
        public decimal? TaxRate { get; init; }
        public DateTimeOffset RecordedAt { get; init; }
        public string RecordedBy { get; init; } = "";

        public PricingRecord ToRecord() => new(
            Id,
            new PricingTerms(
                EffectiveFrom, PlanId, Currency, BaseFee, SeatPrice, IncludedLeads, LeadPrice, AiMarkupRate,
                DiscountKind is null ? null : new DiscountTerms(DiscountKind, DiscountValue ?? 0m, DiscountEndsOn),
                BillingDay, TrialEndsOn, TaxRate),
            RecordedAt,
            RecordedBy);
    }

    public static Task<decimal?> AiMarkupRateAsync(DbTransactionScope scope, Guid tenantId) =>
        scope.Connection.ExecuteScalarAsync<decimal?>(scope.Command(AiMarkupSql, new { TenantId = tenantId }));
}
