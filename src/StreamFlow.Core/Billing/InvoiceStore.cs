using Dapper;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Billing;

/// <summary>
/// Reads invoices and their lines. Every statement runs in a transaction that has set the tenant (RLS), so a list is
/// always one client's. Writing (drafts, finalization, numbering) belongs to the billing cycle.
/// </summary>
internal static class InvoiceStore
{
    private const string TenantNameSql = "SELECT name FROM tenants WHERE id = @Id";

    private const string FinalizedAndEmailedSql = "SELECT finalized_at IS NOT NULL AND emailed_at IS NOT NULL FROM invoices WHERE period_start = @PeriodStart";

    private const string PeriodEndSql = "SELECT period_end FROM invoices WHERE period_start = @PeriodStart";

    private const string Columns = """
        id AS Id, tenant_id AS TenantId, number AS Number, status AS Status, period_start AS PeriodStart,
        period_end AS PeriodEnd, currency AS Currency, subtotal AS Subtotal, discount_total AS DiscountTotal,
        tax_rate AS TaxRate, tax_total AS TaxTotal, total AS Total, credited_total AS CreditedTotal,
        issued_at AS IssuedAt, due_at AS DueAt, paid_at AS PaidAt, payment_reference AS PaymentReference,
        stripe_invoice_id AS StripeInvoiceId, emailed_at AS EmailedAt
        """;

    private const string GetSql = $"SELECT {Columns} FROM invoices WHERE id = @Id";

    private const string GetByPeriodSql = $"SELECT {Columns} FROM invoices WHERE period_start = @PeriodStart";

    // Newest period first; the cursor is the last row's (period_start, id).
    private const string ListSql = $"""
        SELECT {Columns} FROM invoices
        WHERE (@Status::text IS NULL OR status = @Status)
          AND (@IncludeDrafts OR status <> 'draft')
          AND (@AfterPeriod::date IS NULL OR (period_start, id) < (@AfterPeriod::date, @AfterId::uuid))
        ORDER BY period_start DESC, id DESC
        LIMIT @Limit
        """;

    private const string DocumentBlobSql = "SELECT document_blob FROM invoices WHERE id = @Id";

    private const string LinesSql = """
        SELECT invoice_id AS InvoiceId, position AS Position, line_type AS LineType, description AS Description,
               quantity AS Quantity, unit_amount AS UnitAmount, amount AS Amount,
               period_start AS PeriodStart, period_end AS PeriodEnd
        FROM invoice_lines WHERE invoice_id = ANY (@InvoiceIds) ORDER BY invoice_id, position
        """;

    public static async Task<Invoice?> GetAsync(DbTransactionScope scope, Guid invoiceId)
    {
        var row = await scope.Connection.QuerySingleOrDefaultAsync<InvoiceRow>(scope.Command(GetSql, new { Id = invoiceId }));
        return row is null ? null : (await WithLinesAsync(scope, [row]))[0];
    }

    public static async Task<Invoice?> GetByPeriodAsync(DbTransactionScope scope, DateOnly periodStart)
    {
        var row = await scope.Connection.QuerySingleOrDefaultAsync<InvoiceRow>(
            scope.Command(GetByPeriodSql, new { PeriodStart = periodStart }));
        return row is null ? null : (await WithLinesAsync(scope, [row]))[0];
    }

    public static Task<IReadOnlyList<Invoice>> ListAsync(
        DbTransactionScope scope, string? status, (DateOnly PeriodStart, Guid Id)? after, int limit) =>
        ListAsync(scope, status, after, limit, includeDrafts: true);

    /// <summary>Newest period first; clients never see drafts (<paramref name="includeDrafts"/> false).</summary>
    public static async Task<IReadOnlyList<Invoice>> ListAsync(
        DbTransactionScope scope, string? status, (DateOnly PeriodStart, Guid Id)? after, int limit, bool includeDrafts)
    {
        var rows = (await scope.Connection.QueryAsync<InvoiceRow>(scope.Command(ListSql, new
        {
            Status = status,
            IncludeDrafts = includeDrafts,
            AfterPeriod = after?.PeriodStart,
            AfterId = after?.Id,
            Limit = limit,
        }))).AsList();
        return await WithLinesAsync(scope, rows);
    }

    /// <summary>The blob name (in the invoices container) of the HTML document emailed at finalization, if any.</summary>
    public static Task<string?> DocumentBlobAsync(DbTransactionScope scope, Guid invoiceId) =>
        scope.Connection.QuerySingleOrDefaultAsync<string?>(scope.Command(DocumentBlobSql, new { Id = invoiceId }));

    private static async Task<IReadOnlyList<Invoice>> WithLinesAsync(DbTransactionScope scope, IReadOnlyList<InvoiceRow> rows)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var lines = (await scope.Connection.QueryAsync<LineRow>(
                scope.Command(LinesSql, new { InvoiceIds = rows.Select(r => r.Id).ToArray() })))
            .ToLookup(l => l.InvoiceId);
        return rows.Select(r => r.ToInvoice(lines[r.Id].Select(l => l.ToLine(r.Currency)).ToList())).ToList();
    }

    private sealed record InvoiceRow
    {
        public Guid Id { get; init; }
        public Guid TenantId { get; init; }
        public string? Number { get; init; }
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
        public string? PaymentReference { get; init; }
        public string? StripeInvoiceId { get; init; }
        public DateTimeOffset? EmailedAt { get; init; }

        public Invoice ToInvoice(IReadOnlyList<InvoiceLine> lines)
        {
            var due = Status is InvoiceStatus.Paid or InvoiceStatus.Void ? 0m : Math.Max(Total - CreditedTotal, 0m);
            return new Invoice(
                Id, TenantId, Number, Status, PeriodStart, PeriodEnd, Currency,
                Money.Of(Subtotal, Currency), Money.Of(DiscountTotal, Currency), TaxRate, Money.Of(TaxTotal, Currency),
                Money.Of(Total, Currency), Money.Of(CreditedTotal, Currency), Money.Of(due, Currency),
                IssuedAt, DueAt, PaidAt, PaymentReference, StripeInvoiceId, EmailedAt, lines);
        }
    }

    private sealed record LineRow
    {
        public Guid InvoiceId { get; init; }
        public int Position { get; init; }
        public string LineType { get; init; } = "";
        public string Description { get; init; } = "";
        public decimal Quantity { get; init; }
        public decimal UnitAmount { get; init; }
        public decimal Amount { get; init; }
        public DateOnly PeriodStart { get; init; }
        public DateOnly PeriodEnd { get; init; }

        public InvoiceLine ToLine(string currency) =>
            new(Position, LineType, Description, Quantity, UnitAmount, Money.Of(Amount, currency), PeriodStart, PeriodEnd);
    }

    /// <summary>Whether the invoice of the period starting on <paramref name="periodStart"/> is finalized and emailed; null without one.</summary>
    public static Task<bool?> IsFinalizedAndEmailedAsync(DbTransactionScope scope, DateOnly periodStart) =>
        scope.Connection.ExecuteScalarAsync<bool?>(scope.Command(FinalizedAndEmailedSql, new { PeriodStart = periodStart }));

    public static Task<DateOnly?> PeriodEndAsync(DbTransactionScope scope, DateOnly periodStart) =>
        scope.Connection.ExecuteScalarAsync<DateOnly?>(scope.Command(PeriodEndSql, new { PeriodStart = periodStart }));

    /// <summary>The client's name, as its invoice documents show it.</summary>
    public static Task<string> TenantNameAsync(DbTransactionScope scope, Guid tenantId) =>
        scope.Connection.QuerySingleAsync<string>(scope.Command(TenantNameSql, new { Id = tenantId }));
}
