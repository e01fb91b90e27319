using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Billing;

/// <summary>
/// The provider's reads of invoices across clients, through the SECURITY DEFINER functions of 0048_billing_console.sql
/// (the application role itself sees one tenant at a time).
/// </summary>
internal static class ProviderInvoiceStore
{
    private const string ListSql = """
        SELECT id AS Id, tenant_id AS TenantId, tenant_name AS TenantName, tenant_slug AS TenantSlug, number AS Number,
               status AS Status, period_start AS PeriodStart, period_end AS PeriodEnd, currency AS Currency,
               subtotal AS Subtotal, discount_total AS DiscountTotal, tax_total AS TaxTotal, total AS Total,
               credited_total AS CreditedTotal, issued_at AS IssuedAt, due_at AS DueAt, paid_at AS PaidAt, overdue AS Overdue
        FROM billing_provider_invoices(@TenantId, @Status, @PeriodFrom, @PeriodTo, @Overdue, @At, @AfterPeriod, @AfterId, @Limit)
        """;

    private const string ExportSql = """
        SELECT invoice_id AS InvoiceId, tenant_id AS TenantId, tenant_name AS TenantName, tenant_slug AS TenantSlug,
               number AS Number, status AS Status, period_start AS PeriodStart, period_end AS PeriodEnd, currency AS Currency,
               subtotal AS Subtotal, discount_total AS DiscountTotal, tax_rate AS TaxRate, tax_total AS TaxTotal, total AS Total,
               credited_total AS CreditedTotal, issued_at AS IssuedAt, due_at AS DueAt, paid_at AS PaidAt,
               line_position AS LinePosition, line_type AS LineType, description AS Description, quantity AS Quantity,
               unit_amount AS UnitAmount, amount AS Amount, line_start AS LineStart, line_end AS LineEnd
        FROM billing_provider_invoice_export(@From, @To)
        """;

    private const string TenantExistsSql = "SELECT EXISTS (SELECT 1 FROM tenants WHERE id = @Id)";

    public static async Task<IReadOnlyList<ProviderInvoiceRow>> ListAsync(
        DbTransactionScope scope, ProviderInvoiceQuery query, DateTimeOffset at, (DateOnly PeriodStart, Guid Id)? after, int limit) =>
        (await scope.Connection.QueryAsync<ProviderInvoiceRow>(scope.Command(ListSql, new
        {
            query.TenantId,
            query.Status,
            query.PeriodFrom,
            query.PeriodTo,
            query.Overdue,
            At = at,
            AfterPeriod = after?.PeriodStart,
            AfterId = after?.Id,
            Limit = limit,
        }))).AsList();

    /// <summary>Rows as the database produces them, without buffering the whole export in memory.</summary>
    public static IAsyncEnumerable<InvoiceExportRow> ExportAsync(DbTransactionScope scope, DateOnly from, DateOnly to) =>
        scope.Connection.QueryUnbufferedAsync<InvoiceExportRow>(ExportSql, new { From = from, To = to }, scope.Transaction);

    public static Task<bool> TenantExistsAsync(DbTransactionScope scope, Guid tenantId) =>
        scope.Connection.ExecuteScalarAsync<bool>(scope.Command(TenantExistsSql, new { Id = tenantId }));
}

internal sealed record ProviderInvoiceRow
{
    public Guid Id { get; init; }
    public Guid TenantId { get; init; }
    public string TenantName { get; init; } = "";
    public string TenantSlug { get; init; } = "";
    public string? Number { get; init; }
    public string Status { get; init; } = "";
    public DateOnly PeriodStart { get; init; }
    public DateOnly PeriodEnd { get; init; }
    public string Currency { get; init; } = "";
    public decimal Subtotal { get; init; }
    public decimal DiscountTotal { get; init; }
    public decimal TaxTotal { get; init; }
    public decimal Total { get; init; }
    public decimal CreditedTotal { get; init; }
    public DateTimeOffset? IssuedAt { get; init; }
    public DateTimeOffset? DueAt { get; init; }
    public DateTimeOffset? PaidAt { get; init; }
    public bool Overdue { get; init; }
}

/// <summary>One row of the export: an invoice's header with one of its lines (line fields null for an invoice without lines).</summary>
internal sealed record InvoiceExportRow
{
    public Guid InvoiceId { get; init; }
    public Guid TenantId { get; init; }
    public string TenantName { get; init; } = "";
    public string TenantSlug { get; init; } = "";
    public string Number { get; init; } = "";
    public string Status { get; init; } = "";
    public DateOnly PeriodStart { get; init; }
    public DateOnly PeriodEnd { get; init; }
    public string Currency { get; init; } = "";
    public decimal Subtotal { get; init; }
    public decimal DiscountTotal { get; init; }
    public decimal TaxRate { get; init; }
    public decimal TaxTotal { get; init; }
    public decimal Total { get; init; }
    public decimal CreditedTotal { get; init; }
    public DateTimeOffset? IssuedAt { get; init; }
    public DateTimeOffset? DueAt { get; init; }
    public DateTimeOffset? PaidAt { get; init; }
    public int? LinePosition { get; init; }
    public string? LineType { get; init; }
    public string? Description { get; init; }
    public decimal? Quantity { get; init; }
    public decimal? UnitAmount { get; init; }
    public decimal? Amount { get; init; }
    public DateOnly? LineStart { get; init; }
    public DateOnly? LineEnd { get; init; }
}
