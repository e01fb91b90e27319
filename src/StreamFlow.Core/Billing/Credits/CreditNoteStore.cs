using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Billing.Credits;

internal sealed record CreditNoteRow
{
    public Guid Id { get; init; }
    public Guid TenantId { get; init; }
    public Guid? InvoiceId { get; init; }
    public string? InvoiceNumber { get; init; }
    public string Number { get; init; } = "";
    public decimal Amount { get; init; }
    public string Currency { get; init; } = "";
    public string Reason { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public string CreatedBy { get; init; } = "";
    public decimal Applied { get; init; }
}

internal sealed record CreditApplicationRow
{
    public Guid CreditNoteId { get; init; }
    public Guid InvoiceId { get; init; }
    public string? InvoiceNumber { get; init; }
    public decimal Amount { get; init; }
    public string Currency { get; init; } = "";
    public DateTimeOffset AppliedAt { get; init; }
}

internal sealed record OpenCreditRow
{
    public Guid Id { get; init; }
    public string Number { get; init; } = "";
    public decimal Remaining { get; init; }
}

internal sealed record FinalizedInvoiceAmounts
{
    public Guid Id { get; init; }
    public string Currency { get; init; } = "";
    public decimal Total { get; init; }
    public decimal CreditedTotal { get; init; }
    public DateTimeOffset? FinalizedAt { get; init; }
}

/// <summary>
/// Credit notes and account credit (migration 0225). Every statement runs in the business's tenant transaction.
/// </summary>
internal static class CreditNoteStore
{
    // Gapless, shared with the credit notes issued against one invoice (InvoicePaymentStore): the row lock is held
    // until the credit note's transaction ends.
    private const string NextNumberSql = """
        UPDATE billing_number_sequences SET next_value = next_value + 1 WHERE name = 'credit_note'
        RETURNING prefix || lpad((next_value - 1)::text, 6, '0')
        """;

    private const string InsertSql = """
        INSERT INTO credit_notes (id, tenant_id, invoice_id, number, amount, currency, reason, created_at, created_by)
        VALUES (@Id, @TenantId, NULL, @Number, @Amount, @Currency, @Reason, @CreatedAt, @CreatedBy)
        """;

    // The currency the business is billed in: that of its latest price.
    private const string BillingCurrencySql = """
        SELECT currency FROM tenant_pricing ORDER BY effective_from DESC, recorded_at DESC LIMIT 1
        """;

    private const string InvoiceCurrencySql = "SELECT currency FROM invoices WHERE id = @InvoiceId AND finalized_at IS NOT NULL";

    private const string ListSql = """
        SELECT c.id AS Id, c.tenant_id AS TenantId, c.invoice_id AS InvoiceId, i.number AS InvoiceNumber, c.number AS Number,
               c.amount AS Amount, c.currency AS Currency, c.reason AS Reason, c.created_at AS CreatedAt, c.created_by AS CreatedBy,
               coalesce((SELECT sum(a.amount) FROM credit_note_applications a WHERE a.credit_note_id = c.id), 0) AS Applied
        FROM credit_notes c LEFT JOIN invoices i ON i.id = c.invoice_id
        WHERE (@Id::uuid IS NULL OR c.id = @Id)
        ORDER BY c.created_at DESC, c.number DESC
        LIMIT 500
        """;

    private const string ApplicationsSql = """
        SELECT a.credit_note_id AS CreditNoteId, a.invoice_id AS InvoiceId, i.number AS InvoiceNumber, a.amount AS Amount,
               i.currency AS Currency, a.applied_at AS AppliedAt
        FROM credit_note_applications a JOIN invoices i ON i.id = a.invoice_id
        WHERE a.credit_note_id = ANY(@Ids)
        ORDER BY a.applied_at, i.number
        """;

    // Oldest first. The caller holds the business's account-credit lock (credit_notes is append-only for the
    // application role, so its rows cannot be locked FOR UPDATE): two finalizations cannot spend the same credit.
    private const string AccountCreditLockSql = "SELECT pg_advisory_xact_lock(hashtextextended('account-credit:' || @TenantId::text, 0))";

    private const string OpenCreditSql = """
        SELECT c.id AS Id, c.number AS Number,
               c.amount - coalesce((SELECT sum(a.amount) FROM credit_note_applications a WHERE a.credit_note_id = c.id), 0) AS Remaining
        FROM credit_notes c
        WHERE c.invoice_id IS NULL AND c.currency = @Currency
        ORDER BY c.created_at, c.number
        """;

    private const string LockInvoiceSql = """
        SELECT id AS Id, currency AS Currency, total AS Total, credited_total AS CreditedTotal, finalized_at AS FinalizedAt
        FROM invoices WHERE id = @Id FOR UPDATE
        """;

    private const string InsertApplicationSql = """
        INSERT INTO credit_note_applications (id, tenant_id, credit_note_id, invoice_id, amount, applied_at)
        VALUES (@Id, @TenantId, @CreditNoteId, @InvoiceId, @Amount, @Now)
        ON CONFLICT (credit_note_id, invoice_id) DO NOTHING
        RETURNING id
        """;

    private const string AddCreditSql = "UPDATE invoices SET credited_total = credited_total + @Amount, updated_at = @Now WHERE id = @Id";

    private const string AddEventSql = """
        INSERT INTO invoice_events (tenant_id, invoice_id, kind, details, occurred_at)
        VALUES (@TenantId, @InvoiceId, 'account_credit_applied', @Details::jsonb, @Now)
        """;

    // Credit the playbooks gave the business from the start of the year (UTC), in the currency.
    private const string PlaybookCreditSinceSql = """
        SELECT coalesce(sum(amount), 0) FROM credit_notes
        WHERE created_by LIKE 'playbook:%' AND currency = @Currency AND created_at >= @Since
        """;

    private const string CreditLimitLockSql = "SELECT pg_advisory_xact_lock(hashtextextended('credit-limit:' || @TenantId::text, 0))";

    private const string OwnersSql = "SELECT email FROM users WHERE status = 'active' AND role = 'owner' ORDER BY email";

    private const string TenantNameSql = "SELECT name FROM tenants WHERE id = @TenantId";

    public static Task<string> NextNumberAsync(DbTransactionScope scope) =>
        scope.Connection.ExecuteScalarAsync<string>(scope.Command(NextNumberSql))!;

    public static Task InsertAccountCreditAsync(
        DbTransactionScope scope, Guid id, Guid tenantId, string number, decimal amount, string currency, string reason, DateTimeOffset createdAt, string createdBy) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertSql, new
        {
            Id = id, TenantId = tenantId, Number = number, Amount = amount, Currency = currency, Reason = reason, CreatedAt = createdAt, CreatedBy = createdBy,
        }));

    public static Task<string?> BillingCurrencyAsync(DbTransactionScope scope) =>
        scope.Connection.ExecuteScalarAsync<string?>(scope.Command(BillingCurrencySql));

    public static Task<string?> InvoiceCurrencyAsync(DbTransactionScope scope, Guid invoiceId) =>
        scope.Connection.ExecuteScalarAsync<string?>(scope.Command(InvoiceCurrencySql, new { InvoiceId = invoiceId }));

    public static async Task<IReadOnlyList<CreditNoteRow>> ListAsync(DbTransactionScope scope, Guid? id = null) =>
        (await scope.Connection.QueryAsync<CreditNoteRow>(scope.Command(ListSql, new { Id = id }))).AsList();

    public static async Task<IReadOnlyList<CreditApplicationRow>> ApplicationsAsync(DbTransactionScope scope, Guid[] creditNoteIds) =>
        creditNoteIds.Length == 0
            ? []
            : (await scope.Connection.QueryAsync<CreditApplicationRow>(scope.Command(ApplicationsSql, new { Ids = creditNoteIds }))).AsList();

    public static async Task<IReadOnlyList<OpenCreditRow>> LockOpenCreditAsync(DbTransactionScope scope, Guid tenantId, string currency)
    {
        await scope.Connection.ExecuteAsync(scope.Command(AccountCreditLockSql, new { TenantId = tenantId }));
        return (await scope.Connection.QueryAsync<OpenCreditRow>(scope.Command(OpenCreditSql, new { Currency = currency }))).Where(c => c.Remaining > 0).ToList();
    }

    public static Task<FinalizedInvoiceAmounts?> LockInvoiceAsync(DbTransactionScope scope, Guid invoiceId) =>
        scope.Connection.QuerySingleOrDefaultAsync<FinalizedInvoiceAmounts>(scope.Command(LockInvoiceSql, new { Id = invoiceId }));

    /// <summary>Records one application and adds it to the invoice's credited total; false when it was there already.</summary>
    public static async Task<bool> ApplyAsync(DbTransactionScope scope, Guid tenantId, Guid creditNoteId, string creditNoteNumber, Guid invoiceId, decimal amount, DateTimeOffset now)
    {
        var id = await scope.Connection.ExecuteScalarAsync<Guid?>(scope.Command(InsertApplicationSql, new
        {
            Id = Guid.CreateVersion7(), TenantId = tenantId, CreditNoteId = creditNoteId, InvoiceId = invoiceId, Amount = amount, Now = now,
        }));
        if (id is null)
        {
            return false;
        }

        await scope.Connection.ExecuteAsync(scope.Command(AddCreditSql, new { Id = invoiceId, Amount = amount, Now = now }));
        await scope.Connection.ExecuteAsync(scope.Command(AddEventSql, new
        {
            TenantId = tenantId,
            InvoiceId = invoiceId,
            Details = System.Text.Json.JsonSerializer.Serialize(new { creditNoteId, number = creditNoteNumber, amount }),
            Now = now,
        }));
        return true;
    }

    public static Task<decimal> PlaybookCreditSinceAsync(DbTransactionScope scope, string currency, DateTimeOffset since) =>
        scope.Connection.ExecuteScalarAsync<decimal>(scope.Command(PlaybookCreditSinceSql, new { Currency = currency, Since = since }));

    public static Task LockCreditLimitAsync(DbTransactionScope scope, Guid tenantId) =>
        scope.Connection.ExecuteAsync(scope.Command(CreditLimitLockSql, new { TenantId = tenantId }));

    public static async Task<IReadOnlyList<string>> OwnerEmailsAsync(DbTransactionScope scope) =>
        (await scope.Connection.QueryAsync<string>(scope.Command(OwnersSql))).AsList();

    public static async Task<string> TenantNameAsync(DbTransactionScope scope, Guid tenantId) =>
        await scope.Connection.ExecuteScalarAsync<string?>(scope.Command(TenantNameSql, new { TenantId = tenantId })) ?? "";
}
