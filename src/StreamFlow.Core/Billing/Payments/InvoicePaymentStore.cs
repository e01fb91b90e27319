using System.Text.Json;
using Dapper;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;

namespace StreamFlow.Core.Billing.Payments;

/// <summary>An invoice's payment state, locked for a change in the caller's tenant transaction.</summary>
internal sealed record InvoicePaymentState
{
    public Guid Id { get; init; }
    public Guid TenantId { get; init; }
    public string? Number { get; init; }
    public string Status { get; init; } = "";
    public string Currency { get; init; } = "";
    public decimal Total { get; init; }
    public decimal CreditedTotal { get; init; }
    public DateTimeOffset? DueAt { get; init; }
    public DateTimeOffset? PaidAt { get; init; }
    public string? StripeInvoiceId { get; init; }

    public decimal Remaining => Math.Max(Total - CreditedTotal, 0m);

    public bool IsCollectible => Status is InvoiceStatus.Open or InvoiceStatus.PaymentFailed or InvoiceStatus.Uncollectible;
}

/// <summary>
/// The payment side of invoices: status changes after finalization, credit notes and the invoice history
/// (invoice_events). Every statement runs in the tenant's transaction; amounts and lines are never touched here.
/// </summary>
internal static class InvoicePaymentStore
{
    // Across tenants (SECURITY DEFINER): ids and amounts of the finalized invoices still owed after their due date.
    private const string OverdueSql = """
        SELECT tenant_id AS TenantId, invoice_id AS InvoiceId, due_at AS DueAt, currency AS Currency, amount_due AS AmountDue
        FROM billing_overdue_invoices(@Now)
        """;

    private const string OwnersSql = "SELECT email FROM users WHERE role = 'owner' AND status = 'active' ORDER BY created_at";

    private const string ClientNameSql = "SELECT name AS Name, slug AS Slug FROM tenants WHERE id = @TenantId";

    private const string LockSql = """
        SELECT id AS Id, tenant_id AS TenantId, number AS Number, status AS Status, currency AS Currency, total AS Total,
               credited_total AS CreditedTotal, due_at AS DueAt, paid_at AS PaidAt, stripe_invoice_id AS StripeInvoiceId
        FROM invoices WHERE id = @Id
        FOR UPDATE
        """;

    private const string MarkPaidSql = """
        UPDATE invoices SET status = 'paid', paid_at = @PaidAt, payment_reference = @Reference, updated_at = @Now WHERE id = @Id
        """;

    private const string SetStatusSql = "UPDATE invoices SET status = @Status, updated_at = @Now WHERE id = @Id";

    private const string AddCreditSql = "UPDATE invoices SET credited_total = credited_total + @Amount, updated_at = @Now WHERE id = @Id";

    private const string AddEventSql = """
        INSERT INTO invoice_events (tenant_id, invoice_id, kind, details, occurred_at)
        VALUES (@TenantId, @InvoiceId, @Kind, @Details::jsonb, @OccurredAt)
        ON CONFLICT DO NOTHING
        RETURNING id
        """;

    private const string EventDetailsSql = """
        SELECT details::text FROM invoice_events WHERE invoice_id = @InvoiceId AND kind = @Kind ORDER BY occurred_at DESC, id DESC LIMIT 1
        """;

    // Gapless: the row lock on the sequence is held until the credit note's transaction ends.
    private const string NextCreditNoteNumberSql = """
        UPDATE billing_number_sequences SET next_value = next_value + 1 WHERE name = 'credit_note'
        RETURNING prefix || lpad((next_value - 1)::text, 6, '0')
        """;

    private const string InsertCreditNoteSql = """
        INSERT INTO credit_notes (id, tenant_id, invoice_id, number, amount, currency, reason, created_at, created_by)
        VALUES (@Id, @TenantId, @InvoiceId, @Number, @Amount, @Currency, @Reason, @CreatedAt, @CreatedBy)
        """;

    public static Task<InvoicePaymentState?> LockAsync(DbTransactionScope scope, Guid invoiceId) =>
        scope.Connection.QuerySingleOrDefaultAsync<InvoicePaymentState>(scope.Command(LockSql, new { Id = invoiceId }));

    public static Task MarkPaidAsync(DbTransactionScope scope, Guid invoiceId, DateTimeOffset paidAt, string reference, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(MarkPaidSql, new { Id = invoiceId, PaidAt = paidAt, Reference = reference, Now = now }));

    public static Task SetStatusAsync(DbTransactionScope scope, Guid invoiceId, string status, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(SetStatusSql, new { Id = invoiceId, Status = status, Now = now }));

    public static Task AddCreditAsync(DbTransactionScope scope, Guid invoiceId, decimal amount, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(AddCreditSql, new { Id = invoiceId, Amount = amount, Now = now }));

    /// <summary>
    /// Appends to the invoice's history. False when a once-only event (a reminder day, the provider alert) is already
    /// there: the unique index of migration 0045 lets exactly one caller claim it.
    /// </summary>
    public static async Task<bool> AddEventAsync(
        DbTransactionScope scope, Guid tenantId, Guid invoiceId, string kind, object details, DateTimeOffset occurredAt)
    {
        var id = await scope.Connection.ExecuteScalarAsync<long?>(scope.Command(AddEventSql, new
        {
            TenantId = tenantId,
            InvoiceId = invoiceId,
            Kind = kind,
            Details = JsonSerializer.Serialize(details, details.GetType(), StreamFlowJson.Options),
            OccurredAt = occurredAt,
        }));
        return id is not null;
    }

    /// <summary>The details of the invoice's latest event of <paramref name="kind"/>, or null when there is none.</summary>
    public static async Task<JsonElement?> LatestEventAsync(DbTransactionScope scope, Guid invoiceId, string kind)
    {
        var json = await scope.Connection.ExecuteScalarAsync<string?>(scope.Command(EventDetailsSql, new { InvoiceId = invoiceId, Kind = kind }));
        return json is null ? null : JsonSerializer.Deserialize<JsonElement>(json);
    }

    public static Task<string> NextCreditNoteNumberAsync(DbTransactionScope scope) =>
        scope.Connection.ExecuteScalarAsync<string>(scope.Command(NextCreditNoteNumberSql))!;

    public static Task InsertCreditNoteAsync(DbTransactionScope scope, Guid tenantId, CreditNote note, decimal amount) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertCreditNoteSql, new
        {
            note.Id,
            TenantId = tenantId,
            note.InvoiceId,
            note.Number,
            Amount = amount,
            Currency = note.Amount.Currency,
            note.Reason,
            note.CreatedAt,
            note.CreatedBy,
        }));

    public static async Task<IReadOnlyList<DunningService.OverdueInvoice>> OverdueAsync(DbTransactionScope scope, DateTimeOffset now) =>
        (await scope.Connection.QueryAsync<DunningService.OverdueInvoice>(scope.Command(OverdueSql, new { Now = now }))).AsList();

    /// <summary>The active owners' email addresses, first owner first (dunning reminders go to them).</summary>
    public static async Task<IReadOnlyList<string>> OwnerEmailsAsync(DbTransactionScope scope) =>
        (await scope.Connection.QueryAsync<string>(scope.Command(OwnersSql))).AsList();

    public static Task<DunningService.ClientName> ClientNameAsync(DbTransactionScope scope, Guid tenantId) =>
        scope.Connection.QuerySingleAsync<DunningService.ClientName>(scope.Command(ClientNameSql, new { TenantId = tenantId }));
}

/// <summary>The kinds of invoice_events rows this feature writes.</summary>
internal static class InvoiceEventKind
{
    public const string Paid = "paid";
    public const string PaymentFailed = "payment_failed";
    public const string MarkedUncollectible = "marked_uncollectible";
    public const string Voided = "voided";
    public const string CreditNoteIssued = "credit_note_issued";
    public const string StripeInvoiceCreated = "stripe_invoice_created";
    public const string StripeFinalized = "stripe_finalized";
    public const string StripeSubmitted = "stripe_submitted";
    public const string StripeRejected = "stripe_rejected";
    public const string ReminderSent = "reminder_sent";
    public const string ProviderAlerted = "provider_alerted";
}
