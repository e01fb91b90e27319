using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.FieldOps.Invoicing;

/// <summary>A sent invoice past its due date, with the last reminder step already sent (0: none).</summary>
internal sealed record OverdueInvoice(Guid Id, DateOnly DueOn, int LastStep);

/// <summary>The SQL of reminders of overdue customer invoices.</summary>
internal static class CustomerInvoiceReminderStore
{
    // Sent (so unpaid, with an address) and due before the day; those with all three reminders are left out.
    private const string OverdueSql = """
        SELECT i.id AS Id, i.due_on AS DueOn, coalesce(max(r.step), 0)::int AS LastStep
        FROM customer_invoices i LEFT JOIN customer_invoice_reminders r ON r.invoice_id = i.id
        WHERE i.status = 'sent' AND i.sent_to IS NOT NULL AND i.due_on <= @LatestDueOn
        GROUP BY i.id, i.due_on
        HAVING coalesce(max(r.step), 0) < @MaxSteps
        ORDER BY i.due_on, i.id
        LIMIT @Limit
        """;

    // Another run holding the invoice is sending its reminder: skip it rather than wait.
    private const string LockSentSql = """
        SELECT i.id FROM customer_invoices i WHERE i.id = @Id AND i.status = 'sent' AND i.total_minor > i.paid_minor
        FOR UPDATE SKIP LOCKED
        """;

    private const string LastStepSql = "SELECT coalesce(max(step), 0)::int FROM customer_invoice_reminders WHERE invoice_id = @Id";

    private const string RecordSql = """
        INSERT INTO customer_invoice_reminders (tenant_id, invoice_id, step, days_overdue, sent_to, sent_at)
        VALUES (@TenantId, @Id, @Step, @DaysOverdue, @SentTo, @Now)
        ON CONFLICT DO NOTHING
        """;

    public static async Task<IReadOnlyList<OverdueInvoice>> OverdueAsync(DbTransactionScope scope, DateOnly latestDueOn, int maxSteps, int limit) =>
        (await scope.Connection.QueryAsync<OverdueInvoice>(scope.Command(OverdueSql, new { LatestDueOn = latestDueOn, MaxSteps = maxSteps, Limit = limit }))).ToList();

    /// <summary>True when the invoice is still sent and unpaid and no other run holds it.</summary>
    public static async Task<bool> LockStillOwingAsync(DbTransactionScope scope, Guid id) =>
        await scope.Connection.ExecuteScalarAsync<Guid?>(scope.Command(LockSentSql, new { Id = id })) is not null;

    public static Task<int> LastStepAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.ExecuteScalarAsync<int>(scope.Command(LastStepSql, new { Id = id }));

    public static async Task<bool> RecordAsync(DbTransactionScope scope, Guid tenantId, Guid id, int step, int daysOverdue, string sentTo, DateTimeOffset now) =>
        await scope.Connection.ExecuteAsync(scope.Command(RecordSql, new { TenantId = tenantId, Id = id, Step = (short)step, DaysOverdue = daysOverdue, SentTo = sentTo, Now = now })) == 1;
}
