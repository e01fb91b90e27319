using Dapper;
using StreamFlow.Core.Billing.Calculation;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Billing.Cycle;

/// <summary>
/// The write side of invoices: drafts keyed by (tenant, period start), finalization with the next gapless number,
/// and the delivery marks a finalized invoice may still receive. Every statement runs in the caller's tenant transaction.
/// </summary>
internal static class InvoiceWriteStore
{
    private const string InsertDraftSql = """
        INSERT INTO invoices (id, tenant_id, period_start, period_end, currency, status, subtotal, discount_total, tax_rate,
                              tax_total, total, created_at, updated_at)
        VALUES (@Id, @TenantId, @PeriodStart, @PeriodEnd, @Currency, 'draft', @Subtotal, @DiscountTotal, @TaxRate,
                @TaxTotal, @Total, @Now, @Now)
        ON CONFLICT (tenant_id, period_start) DO NOTHING
        """;

    private const string LockByPeriodSql = """
        SELECT id AS Id, finalized_at AS FinalizedAt FROM invoices WHERE period_start = @PeriodStart FOR UPDATE
        """;

    private const string UpdateDraftSql = """
        UPDATE invoices
        SET period_end = @PeriodEnd, currency = @Currency, subtotal = @Subtotal, discount_total = @DiscountTotal, tax_rate = @TaxRate,
            tax_total = @TaxTotal, total = @Total, updated_at = @Now
        WHERE id = @Id AND finalized_at IS NULL
        """;

    private const string DeleteLinesSql = "DELETE FROM invoice_lines WHERE invoice_id = @Id";

    private const string InsertLineSql = """
        INSERT INTO invoice_lines (id, tenant_id, invoice_id, position, line_type, description, quantity, unit_amount, amount, period_start, period_end)
        VALUES (@Id, @TenantId, @InvoiceId, @Position, @LineType, @Description, @Quantity, @UnitAmount, @Amount, @PeriodStart, @PeriodEnd)
        """;

    private const string LockSql = """
        SELECT id AS Id, number AS Number, finalized_at AS FinalizedAt, currency AS Currency, total AS Total,
               period_start AS PeriodStart, period_end AS PeriodEnd, due_at AS DueAt
        FROM invoices WHERE id = @Id FOR UPDATE
        """;

    // The sequence row's lock serialises finalizations; a rolled-back one gives its number back, so numbers have no gaps.
    private const string TakeNumberSql = """
        UPDATE billing_number_sequences SET next_value = next_value + 1 WHERE name = 'invoice'
        RETURNING prefix || lpad((next_value - 1)::text, 6, '0')
        """;

    private const string FinalizeSql = """
        UPDATE invoices
        SET number = @Number, status = 'open', issued_at = @Now, due_at = @DueAt, finalized_at = @Now, updated_at = @Now
        WHERE id = @Id AND finalized_at IS NULL
        """;

    private const string SetDocumentSql = """
        UPDATE invoices SET document_blob = @Path, updated_at = @Now WHERE id = @Id AND document_blob IS DISTINCT FROM @Path
        """;

    private const string SetExternalIdSql = """
        UPDATE invoices SET stripe_invoice_id = @ExternalId, updated_at = @Now WHERE id = @Id AND stripe_invoice_id IS NULL
        """;

    private const string SetEmailedSql = "UPDATE invoices SET emailed_at = @Now, updated_at = @Now WHERE id = @Id AND emailed_at IS NULL";

    private const string DeliveryStateSql = """
        SELECT document_blob AS DocumentBlob, emailed_at AS EmailedAt, finalized_at AS FinalizedAt FROM invoices WHERE id = @Id
        """;

    // invoice_events is append-only: a resumed step must not record its event twice.
    private const string AddEventOnceSql = """
        INSERT INTO invoice_events (tenant_id, invoice_id, kind, details, occurred_at)
        SELECT @TenantId, @InvoiceId, @Kind, @Details::jsonb, @Now
        WHERE NOT EXISTS (SELECT 1 FROM invoice_events WHERE invoice_id = @InvoiceId AND kind = @Kind)
        """;

    private const string OwnersSql = "SELECT email FROM users WHERE status = 'active' AND role = 'owner' ORDER BY email";

    private const string TenantNameSql = "SELECT name FROM tenants WHERE id = @TenantId";

    public static Task<int> InsertDraftAsync(DbTransactionScope scope, Guid id, Guid tenantId, BillingPeriod period, InvoiceCalculation calculation, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertDraftSql, Amounts(id, tenantId, period, calculation, now)));

    public static Task<LockedDraft?> LockByPeriodAsync(DbTransactionScope scope, DateOnly periodStart) =>
        scope.Connection.QuerySingleOrDefaultAsync<LockedDraft>(scope.Command(LockByPeriodSql, new { PeriodStart = periodStart }));

    public static async Task ReplaceDraftAsync(DbTransactionScope scope, Guid id, Guid tenantId, BillingPeriod period, InvoiceCalculation calculation, DateTimeOffset now)
    {
        await scope.Connection.ExecuteAsync(scope.Command(UpdateDraftSql, Amounts(id, tenantId, period, calculation, now)));
        await scope.Connection.ExecuteAsync(scope.Command(DeleteLinesSql, new { Id = id }));
        var lines = calculation.Lines.Select((line, index) => new
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenantId,
            InvoiceId = id,
            Position = (short)(index + 1),
            line.LineType,
            line.Description,
            line.Quantity,
            line.UnitAmount,
            line.Amount,
            line.PeriodStart,
            line.PeriodEnd,
        }).ToList();
        if (lines.Count > 0)
        {
            await scope.Connection.ExecuteAsync(scope.Command(InsertLineSql, lines));
        }
    }

    public static Task<LockedInvoice?> LockAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<LockedInvoice>(scope.Command(LockSql, new { Id = id }));

    public static Task<string> TakeNumberAsync(DbTransactionScope scope) =>
        scope.Connection.ExecuteScalarAsync<string>(scope.Command(TakeNumberSql))!;

    public static Task FinalizeAsync(DbTransactionScope scope, Guid id, string number, DateTimeOffset now, DateTimeOffset dueAt) =>
        scope.Connection.ExecuteAsync(scope.Command(FinalizeSql, new { Id = id, Number = number, Now = now, DueAt = dueAt }));

    public static Task SetDocumentAsync(DbTransactionScope scope, Guid id, string path, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(SetDocumentSql, new { Id = id, Path = path, Now = now }));

    public static Task SetExternalIdAsync(DbTransactionScope scope, Guid id, string externalId, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(SetExternalIdSql, new { Id = id, ExternalId = externalId, Now = now }));

    public static Task<int> SetEmailedAsync(DbTransactionScope scope, Guid id, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(SetEmailedSql, new { Id = id, Now = now }));

    public static Task<DeliveryState?> DeliveryStateAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<DeliveryState>(scope.Command(DeliveryStateSql, new { Id = id }));

    public static Task<int> AddEventOnceAsync(DbTransactionScope scope, Guid tenantId, Guid invoiceId, string kind, string detailsJson, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(AddEventOnceSql, new { TenantId = tenantId, InvoiceId = invoiceId, Kind = kind, Details = detailsJson, Now = now }));

    public static async Task<IReadOnlyList<string>> OwnersAsync(DbTransactionScope scope) =>
        (await scope.Connection.QueryAsync<string>(scope.Command(OwnersSql))).AsList();

    public static Task<string?> TenantNameAsync(DbTransactionScope scope, Guid tenantId) =>
        scope.Connection.ExecuteScalarAsync<string?>(scope.Command(TenantNameSql, new { TenantId = tenantId }));

    private static object Amounts(Guid id, Guid tenantId, BillingPeriod period, InvoiceCalculation c, DateTimeOffset now) => new
    {
        Id = id,
        TenantId = tenantId,
        PeriodStart = period.Start,
        PeriodEnd = period.End,
        c.Currency,
        c.Subtotal,
        c.DiscountTotal,
        c.TaxRate,
        TaxTotal = c.TaxTotal,
        c.Total,
        Now = now,
    };

    internal sealed record LockedDraft
    {
        public Guid Id { get; init; }
        public DateTimeOffset? FinalizedAt { get; init; }
    }

    internal sealed record LockedInvoice
    {
        public Guid Id { get; init; }
        public string? Number { get; init; }
        public DateTimeOffset? FinalizedAt { get; init; }
        public string Currency { get; init; } = "";
        public decimal Total { get; init; }
        public DateOnly PeriodStart { get; init; }
        public DateOnly PeriodEnd { get; init; }
        public DateTimeOffset? DueAt { get; init; }
    }

    internal sealed record DeliveryState
    {
        public string? DocumentBlob { get; init; }
        public DateTimeOffset? EmailedAt { get; init; }
        public DateTimeOffset? FinalizedAt { get; init; }
    }
}
