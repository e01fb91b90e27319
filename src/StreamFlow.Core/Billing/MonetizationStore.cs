using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Billing;

/// <summary>
/// The monetization console's aggregates, read across clients only through the SECURITY DEFINER functions of
/// 0048_billing_console.sql and 0049_billing_console_performance.sql: counts and sums, never a user or a lead.
/// </summary>
internal static class MonetizationStore
{
    private const string ClientsSql = """
        SELECT tenant_id AS TenantId, tenant_name AS TenantName, tenant_slug AS TenantSlug, tenant_status AS TenantStatus,
               pricing_effective_from AS PricingEffectiveFrom, plan_code AS PlanCode, plan_name AS PlanName, currency AS Currency,
               base_fee AS BaseFee, seat_price AS SeatPrice, included_leads AS IncludedLeads, lead_price AS LeadPrice,
               ai_markup_rate AS AiMarkupRate, discount_kind AS DiscountKind, discount_value AS DiscountValue,
               discount_ends_on AS DiscountEndsOn, billing_day AS BillingDay, trial_ends_on AS TrialEndsOn, tax_rate AS TaxRate,
               period_start AS PeriodStart, period_end AS PeriodEnd, active_seats AS ActiveSeats, leads_in_period AS LeadsInPeriod,
               ai_cost_usd AS AiCostUsd, ai_billable_usd AS AiBillableUsd, ai_monthly_limit_usd AS AiMonthlyLimitUsd
        FROM billing_console_clients(@At)
        """;

    private const string ReceivablesSql = """
        SELECT tenant_id AS TenantId, currency AS Currency, outstanding AS Outstanding, overdue AS Overdue,
               open_invoices AS OpenInvoices, overdue_invoices AS OverdueInvoices
        FROM billing_console_receivables(@At)
        """;

    private const string RevenueSql = """
        SELECT tenant_id AS TenantId, tenant_name AS TenantName, tenant_slug AS TenantSlug, month AS Month, currency AS Currency,
               line_type AS LineType, amount AS Amount
        FROM billing_revenue_by_month(@From, @To)
        """;

    private const string AiMonthsSql = """
        SELECT month AS Month, cost_usd AS CostUsd, billable_usd AS BillableUsd FROM billing_ai_by_month(@From, @To)
        """;

    public static async Task<IReadOnlyList<ConsoleClientRow>> ClientsAsync(DbTransactionScope scope, DateTimeOffset at) =>
        (await scope.Connection.QueryAsync<ConsoleClientRow>(scope.Command(ClientsSql, new { At = at }))).AsList();

    public static async Task<IReadOnlyList<ReceivableRow>> ReceivablesAsync(DbTransactionScope scope, DateTimeOffset at) =>
        (await scope.Connection.QueryAsync<ReceivableRow>(scope.Command(ReceivablesSql, new { At = at }))).AsList();

    public static async Task<IReadOnlyList<RevenueRow>> RevenueAsync(DbTransactionScope scope, DateOnly from, DateOnly to) =>
        (await scope.Connection.QueryAsync<RevenueRow>(scope.Command(RevenueSql, new { From = from, To = to }))).AsList();

    public static async Task<IReadOnlyList<AiMonthRow>> AiMonthsAsync(DbTransactionScope scope, DateTimeOffset from, DateTimeOffset to) =>
        (await scope.Connection.QueryAsync<AiMonthRow>(scope.Command(AiMonthsSql, new { From = from, To = to }))).AsList();
}

internal sealed record ConsoleClientRow
{
    public Guid TenantId { get; init; }
    public string TenantName { get; init; } = "";
    public string TenantSlug { get; init; } = "";
    public string TenantStatus { get; init; } = "";
    public DateOnly? PricingEffectiveFrom { get; init; }
    public string? PlanCode { get; init; }
    public string? PlanName { get; init; }
    public string? Currency { get; init; }
    public decimal? BaseFee { get; init; }
    public decimal? SeatPrice { get; init; }
    public int? IncludedLeads { get; init; }
    public decimal? LeadPrice { get; init; }
    public decimal? AiMarkupRate { get; init; }
    public string? DiscountKind { get; init; }
    public decimal? DiscountValue { get; init; }
    public DateOnly? DiscountEndsOn { get; init; }
    public int BillingDay { get; init; }
    public DateOnly? TrialEndsOn { get; init; }
    public decimal? TaxRate { get; init; }
    public DateOnly PeriodStart { get; init; }
    public DateOnly PeriodEnd { get; init; }
    public long ActiveSeats { get; init; }
    public long LeadsInPeriod { get; init; }
    public decimal AiCostUsd { get; init; }
    public decimal AiBillableUsd { get; init; }
    public decimal? AiMonthlyLimitUsd { get; init; }
}

internal sealed record ReceivableRow
{
    public Guid TenantId { get; init; }
    public string Currency { get; init; } = "";
    public decimal Outstanding { get; init; }
    public decimal Overdue { get; init; }
    public long OpenInvoices { get; init; }
    public long OverdueInvoices { get; init; }
}

internal sealed record RevenueRow
{
    public Guid TenantId { get; init; }
    public string TenantName { get; init; } = "";
    public string TenantSlug { get; init; } = "";
    public DateOnly Month { get; init; }
    public string Currency { get; init; } = "";
    public string LineType { get; init; } = "";
    public decimal Amount { get; init; }
}

internal sealed record AiMonthRow
{
    public DateOnly Month { get; init; }
    public decimal CostUsd { get; init; }
    public decimal BillableUsd { get; init; }
}
