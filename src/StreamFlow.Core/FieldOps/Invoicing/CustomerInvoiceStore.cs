using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.FieldOps.Invoicing;

internal sealed record StoredInvoiceLine(
    string Kind, string Description, decimal Quantity, decimal UnitPrice, bool Taxable, Guid? VisitId, Guid? QuoteId, string? Basis = null);

internal sealed record StoredPayment(
    Guid PaymentId, Guid InvoiceId, long AmountMinor, string Method, DateTimeOffset PaidAt, string? Reference, string RecordedBy, DateTimeOffset RecordedAt);

internal sealed record StoredCustomerInvoice
{
    public Guid Id { get; init; }

    public int Number { get; init; }

    public string Status { get; init; } = "";

    public string CustomerName { get; init; } = "";

    public string Currency { get; init; } = "";

    public decimal TaxRate { get; init; }

    public string Lines { get; init; } = "[]";

    public long SubtotalMinor { get; init; }

    public long TaxMinor { get; init; }

    public long TotalMinor { get; init; }

    public Guid[] VisitIds { get; init; } = [];

    public string? Notes { get; init; }

    public DateOnly DueOn { get; init; }

    public string? VoidReason { get; init; }

    public DateTimeOffset? SentAt { get; init; }

    public DateTimeOffset? PaidAt { get; init; }

    public DateTimeOffset? VoidedAt { get; init; }

    public int Version { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public string? SentTo { get; init; }

    public long PaidMinor { get; init; }

    public long DepositAppliedMinor { get; init; }

    public string Payments { get; init; } = "[]";
}

/// <summary>A visit as an invoice needs it, with the live invoice it is already on, if any.</summary>
internal sealed record InvoiceableVisit
{
    public Guid Id { get; init; }

    public Guid JobId { get; init; }

    public string Status { get; init; } = "";

    public int DurationMinutes { get; init; }

    public DateTimeOffset Start { get; init; }

    public string JobTitle { get; init; } = "";

    public string CustomerName { get; init; } = "";

    public int Technicians { get; init; }

    public Guid? InvoiceId { get; init; }
}

internal sealed record InvoiceableQuote
{
    public Guid Id { get; init; }

    public Guid JobId { get; init; }

    public int Number { get; init; }

    public int Version { get; init; }

    public string Currency { get; init; } = "";

    public decimal TaxRate { get; init; }

    public string Lines { get; init; } = "[]";
}

/// <summary>The SQL of the business's invoices to its customers.</summary>
internal static class CustomerInvoiceStore
{
    private const string Columns = """
        i.id AS Id, i.number AS Number, i.status AS Status, i.customer_name AS CustomerName, i.currency AS Currency, i.tax_rate AS TaxRate,
        i.lines::text AS Lines, i.subtotal_minor AS SubtotalMinor, i.tax_minor AS TaxMinor, i.total_minor AS TotalMinor,
        ARRAY(SELECT it.visit_id FROM customer_invoice_items it WHERE it.invoice_id = i.id AND it.visit_id IS NOT NULL ORDER BY it.visit_id) AS VisitIds,
        i.notes AS Notes, i.due_on AS DueOn, i.void_reason AS VoidReason, i.sent_at AS SentAt, i.paid_at AS PaidAt, i.voided_at AS VoidedAt,
        i.version AS Version, i.created_at AS CreatedAt, i.updated_at AS UpdatedAt, i.sent_to AS SentTo, i.paid_minor AS PaidMinor,
        i.deposit_applied_minor AS DepositAppliedMinor,
        (SELECT coalesce(jsonb_agg(jsonb_build_object('paymentId', p.payment_id, 'invoiceId', p.invoice_id, 'amountMinor', p.amount_minor,
                    'method', p.method, 'paidAt', p.paid_at, 'reference', p.reference, 'recordedBy', p.recorded_by, 'recordedAt', p.recorded_at)
                ORDER BY p.paid_at, p.payment_id), '[]'::jsonb)
         FROM customer_invoice_payments p WHERE p.invoice_id = i.id)::text AS Payments
        """;

    private const string VisitsSql = """
        SELECT v.id AS Id, v.job_id AS JobId, v.status AS Status, v.duration_minutes AS DurationMinutes,
               coalesce(v.scheduled_start, v.window_start) AS Start, j.title AS JobTitle, j.customer_name AS CustomerName,
               (SELECT count(*) FROM visit_assignments a WHERE a.visit_id = v.id)::int AS Technicians,
               (SELECT it.invoice_id FROM customer_invoice_items it WHERE it.visit_id = v.id AND it.live) AS InvoiceId
        FROM visits v JOIN jobs j ON j.id = v.job_id
        WHERE v.id = ANY (@Ids)
        ORDER BY v.id
        FOR UPDATE OF v
        """;

    // The approved quotes of these jobs that no live invoice carries yet.
    private const string QuotesSql = """
        SELECT q.id AS Id, q.job_id AS JobId, q.number AS Number, q.version AS Version, q.currency AS Currency, q.tax_rate AS TaxRate, q.lines::text AS Lines
        FROM quotes q
        WHERE q.job_id = ANY (@Jobs) AND q.status = 'approved'
          AND NOT EXISTS (SELECT 1 FROM customer_invoice_items it WHERE it.quote_id = q.id AND it.live)
        ORDER BY q.job_id, q.id
        FOR UPDATE OF q
        """;

    // Numbers are handed out one at a time per business.
    private const string NextNumberSql = """
        SELECT pg_advisory_xact_lock(hashtextextended('customer_invoices:' || @TenantId::text, 0));
        SELECT coalesce(max(number), 0) + 1 FROM customer_invoices;
        """;

    private const string InsertSql = """
        INSERT INTO customer_invoices (id, tenant_id, number, status, customer_name, currency, tax_rate, lines, subtotal_minor, tax_minor, total_minor,
            notes, due_on, created_by, created_at, updated_at, deposit_applied_minor, paid_minor)
        VALUES (@Id, @TenantId, @Number, 'draft', @CustomerName, @Currency, @TaxRate, @Lines::jsonb, @SubtotalMinor, @TaxMinor, @TotalMinor,
            @Notes, @DueOn, @Actor, @Now, @Now, @DepositAppliedMinor, @PaidMinor)
        """;

    private const string InsertItemSql = """
        INSERT INTO customer_invoice_items (tenant_id, invoice_id, visit_id, quote_id) VALUES (@TenantId, @InvoiceId, @VisitId, @QuoteId)
        """;

    private const string ByIdSql = $"SELECT {Columns} FROM customer_invoices i WHERE i.id = @Id";

    private const string LockSql = "SELECT id FROM customer_invoices WHERE id = @Id FOR UPDATE";

    private const string PageSql = $"""
        SELECT {Columns} FROM customer_invoices i
        WHERE (@Before::uuid IS NULL OR i.id < @Before) AND (@Status::text IS NULL OR i.status = @Status)
        ORDER BY i.id DESC LIMIT @Limit
        """;

    private const string MoveSql = """
        UPDATE customer_invoices SET status = @To,
            sent_at = CASE WHEN @To = 'sent' THEN @Now ELSE sent_at END,
            paid_at = CASE WHEN @To = 'paid' THEN @Now ELSE paid_at END,
            voided_at = CASE WHEN @To = 'void' THEN @Now ELSE voided_at END,
            void_reason = CASE WHEN @To = 'void' THEN @Reason ELSE void_reason END,
            version = version + 1, updated_at = @Now
        WHERE id = @Id AND status = @From
        """;

    // Where the invoice goes when the office names no address: the customer email of an approved quote of its visits' jobs.
    private const string CustomerEmailSql = """
        SELECT q.customer_email FROM customer_invoice_items it
        JOIN visits v ON v.id = it.visit_id
        JOIN quotes q ON q.job_id = v.job_id AND q.status = 'approved' AND q.customer_email IS NOT NULL
        WHERE it.invoice_id = @Id
        ORDER BY q.id DESC LIMIT 1
        """;

    private const string MarkSentSql = """
        UPDATE customer_invoices SET status = 'sent', sent_at = @Now, sent_to = @To, version = version + 1, updated_at = @Now
        WHERE id = @Id AND status IN ('draft', 'sent')
        """;

    private const string PaymentSql = """
        SELECT payment_id AS PaymentId, invoice_id AS InvoiceId, amount_minor AS AmountMinor, method AS Method, paid_at AS PaidAt,
               reference AS Reference, recorded_by AS RecordedBy, recorded_at AS RecordedAt
        FROM customer_invoice_payments WHERE payment_id = @PaymentId
        """;

    private const string InsertPaymentSql = """
        INSERT INTO customer_invoice_payments (tenant_id, payment_id, invoice_id, amount_minor, method, paid_at, reference, recorded_by, recorded_at)
        VALUES (@TenantId, @PaymentId, @InvoiceId, @AmountMinor, @Method, @PaidAt, @Reference, @RecordedBy, @RecordedAt)
        ON CONFLICT (tenant_id, payment_id) DO NOTHING
        """;

    // Adds a payment to the invoice; the payment that settles it makes it paid, at the latest payment's time.
    private const string AddPaidSql = """
        UPDATE customer_invoices SET paid_minor = paid_minor + @AmountMinor,
            status = CASE WHEN paid_minor + @AmountMinor >= total_minor THEN 'paid' ELSE status END,
            paid_at = CASE WHEN paid_minor + @AmountMinor >= total_minor
                           THEN (SELECT max(p.paid_at) FROM customer_invoice_payments p WHERE p.invoice_id = @Id) ELSE paid_at END,
            version = version + 1, updated_at = @Now
        WHERE id = @Id AND status = 'sent'
        RETURNING status
        """;

    private const string ReleaseSql = "UPDATE customer_invoice_items SET live = false WHERE invoice_id = @Id";

    public static async Task<IReadOnlyList<InvoiceableVisit>> LockVisitsAsync(DbTransactionScope scope, IReadOnlyCollection<Guid> ids) =>
        (await scope.Connection.QueryAsync<InvoiceableVisit>(scope.Command(VisitsSql, new { Ids = ids.ToArray() }))).ToList();

    public static async Task<IReadOnlyList<InvoiceableQuote>> LockQuotesAsync(DbTransactionScope scope, IReadOnlyCollection<Guid> jobs) =>
        (await scope.Connection.QueryAsync<InvoiceableQuote>(scope.Command(QuotesSql, new { Jobs = jobs.ToArray() }))).ToList();

    public static async Task<int> NextNumberAsync(DbTransactionScope scope, Guid tenantId)
    {
        using var reader = await scope.Connection.QueryMultipleAsync(scope.Command(NextNumberSql, new { TenantId = tenantId }));
        await reader.ReadAsync();
        return await reader.ReadSingleAsync<int>();
    }

    public static async Task InsertAsync(
        DbTransactionScope scope, Guid tenantId, StoredCustomerInvoice invoice, IReadOnlyCollection<Guid> visits, IReadOnlyCollection<Guid> quotes,
        string actor, DateTimeOffset now)
    {
        await scope.Connection.ExecuteAsync(scope.Command(InsertSql, new
        {
            invoice.Id, TenantId = tenantId, invoice.Number, invoice.CustomerName, invoice.Currency, invoice.TaxRate, invoice.Lines, invoice.SubtotalMinor,
            invoice.TaxMinor, invoice.TotalMinor, invoice.Notes, invoice.DueOn, Actor = actor, Now = now, invoice.DepositAppliedMinor, invoice.PaidMinor,
        }));
        foreach (var visit in visits)
        {
            await scope.Connection.ExecuteAsync(scope.Command(InsertItemSql, new { TenantId = tenantId, InvoiceId = invoice.Id, VisitId = (Guid?)visit, QuoteId = (Guid?)null }));
        }

        foreach (var quote in quotes)
        {
            await scope.Connection.ExecuteAsync(scope.Command(InsertItemSql, new { TenantId = tenantId, InvoiceId = invoice.Id, VisitId = (Guid?)null, QuoteId = (Guid?)quote }));
        }
    }

    public static Task<StoredCustomerInvoice?> FindAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredCustomerInvoice>(scope.Command(ByIdSql, new { Id = id }));

    public static async Task<StoredCustomerInvoice?> LockAsync(DbTransactionScope scope, Guid id) =>
        await scope.Connection.ExecuteScalarAsync<Guid?>(scope.Command(LockSql, new { Id = id })) is null ? null : await FindAsync(scope, id);

    public static async Task<IReadOnlyList<StoredCustomerInvoice>> PageAsync(DbTransactionScope scope, string? status, Guid? before, int limit) =>
        (await scope.Connection.QueryAsync<StoredCustomerInvoice>(scope.Command(PageSql, new { Before = before, Status = status, Limit = limit }))).ToList();

    /// <summary>Moves the invoice; voiding releases its visits and quotes for another invoice.</summary>
    public static async Task<bool> MoveAsync(DbTransactionScope scope, Guid id, string from, string to, string? reason, DateTimeOffset now)
    {
        var moved = await scope.Connection.ExecuteAsync(scope.Command(MoveSql, new { Id = id, From = from, To = to, Reason = reason, Now = now })) == 1;
        if (moved && to == CustomerInvoiceStatus.Void)
        {
            await scope.Connection.ExecuteAsync(scope.Command(ReleaseSql, new { Id = id }));
        }

        return moved;
    }

    public static Task<string?> CustomerEmailAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.ExecuteScalarAsync<string?>(scope.Command(CustomerEmailSql, new { Id = id }));

    public static async Task<bool> MarkSentAsync(DbTransactionScope scope, Guid id, string to, DateTimeOffset now) =>
        await scope.Connection.ExecuteAsync(scope.Command(MarkSentSql, new { Id = id, To = to, Now = now })) == 1;

    public static Task<StoredPayment?> FindPaymentAsync(DbTransactionScope scope, Guid paymentId) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredPayment>(scope.Command(PaymentSql, new { PaymentId = paymentId }));

    /// <summary>Records the payment and adds it to the invoice; the new status (paid when settled), or null when the id was taken meanwhile.</summary>
    public static async Task<string?> AddPaymentAsync(DbTransactionScope scope, Guid tenantId, StoredPayment payment, DateTimeOffset now)
    {
        var inserted = await scope.Connection.ExecuteAsync(scope.Command(InsertPaymentSql, new
        {
            TenantId = tenantId, payment.PaymentId, payment.InvoiceId, payment.AmountMinor, payment.Method, payment.PaidAt, payment.Reference,
            payment.RecordedBy, payment.RecordedAt,
        }));
        return inserted == 1
            ? await scope.Connection.ExecuteScalarAsync<string?>(scope.Command(AddPaidSql, new { Id = payment.InvoiceId, payment.AmountMinor, Now = now }))
            : null;
    }
}
