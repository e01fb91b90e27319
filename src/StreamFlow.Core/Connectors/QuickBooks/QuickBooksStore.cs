using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Connectors.QuickBooks;

/// <summary>A customer invoice (field operations) with work to do at QuickBooks: sent and not pushed, or voided after it was.</summary>
internal sealed record CustomerInvoiceToPush(Guid Id, string Status, Guid? LeadId, string? ExternalId, string? SyncToken);

/// <summary>
/// The SQL of the QuickBooks connector over the business's own invoices to its customers (FieldOps, customer_invoices):
/// read here so that Connectors runs no FieldOps SQL through FieldOps' store; the invoices themselves are read and marked
/// paid through <c>CustomerInvoiceService</c>.
/// </summary>
internal static class QuickBooksStore
{
    private const string HasCustomerInvoicesSql = "SELECT EXISTS (SELECT 1 FROM customer_invoices)";

    // Sent and never pushed, or void at StreamFlow while QuickBooks still has it open; the lead of the first visit's job
    // (when the job came from a lead) is whose customer it goes to.
    private const string ToPushSql = """
        SELECT i.id AS Id, i.status AS Status,
               (SELECT j.lead_id FROM customer_invoice_items it JOIN visits v ON v.id = it.visit_id JOIN jobs j ON j.id = v.job_id
                WHERE it.invoice_id = i.id AND j.lead_id IS NOT NULL ORDER BY v.id LIMIT 1) AS LeadId,
               r.external_id AS ExternalId, r.sync_token AS SyncToken
        FROM customer_invoices i
        LEFT JOIN connector_records r ON r.connection_id = @ConnectionId AND r.entity = 'customer_invoice' AND r.local_id = i.id
        WHERE (@After::uuid IS NULL OR i.id > @After)
          AND ((i.status = 'sent' AND r.local_id IS NULL) OR (i.status = 'void' AND r.local_id IS NOT NULL AND r.remote_status IS DISTINCT FROM 'voided'))
        ORDER BY i.id
        LIMIT @Limit
        """;

    public static Task<bool> HasCustomerInvoicesAsync(DbTransactionScope scope) =>
        scope.Connection.ExecuteScalarAsync<bool>(scope.Command(HasCustomerInvoicesSql, null));

    public static async Task<IReadOnlyList<CustomerInvoiceToPush>> ToPushAsync(DbTransactionScope scope, Guid connectionId, Guid? after, int limit) =>
        (await scope.Connection.QueryAsync<CustomerInvoiceToPush>(scope.Command(ToPushSql, new { ConnectionId = connectionId, After = after, Limit = limit }))).ToList();
}
