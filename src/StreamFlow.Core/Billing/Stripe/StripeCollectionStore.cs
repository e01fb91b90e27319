using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Billing.Stripe;

/// <summary>What StreamFlow keeps of Stripe: each client's customer id, each invoice's Stripe invoice id, handled events.</summary>
internal static class StripeCollectionStore
{
    private const string CustomerSql = "SELECT stripe_customer_id FROM billing_stripe_customers WHERE tenant_id = @TenantId";

    private const string InsertCustomerSql = """
        INSERT INTO billing_stripe_customers (tenant_id, stripe_customer_id, created_at) VALUES (@TenantId, @CustomerId, @Now)
        ON CONFLICT (tenant_id) DO NOTHING
        """;

    private const string SetStripeInvoiceSql = """
        UPDATE invoices SET stripe_invoice_id = @StripeInvoiceId, updated_at = @Now WHERE id = @Id AND stripe_invoice_id IS NULL
        """;

    private const string BillingContactSql = """
        SELECT t.name AS Name,
               (SELECT u.email FROM users u WHERE u.role = 'owner' AND u.status = 'active' ORDER BY u.created_at LIMIT 1) AS Email
        FROM tenants t WHERE t.id = @TenantId
        """;

    // A platform table (event ids only): written in the tenant transaction that applies the event, so both commit together.
    private const string ClaimEventSql = """
        INSERT INTO stripe_webhook_events (event_id, event_type, received_at) VALUES (@EventId, @EventType, @Now)
        ON CONFLICT (event_id) DO NOTHING
        """;

    public static Task<string?> CustomerIdAsync(DbTransactionScope scope, Guid tenantId) =>
        scope.Connection.ExecuteScalarAsync<string?>(scope.Command(CustomerSql, new { TenantId = tenantId }));

    /// <summary>Stores the customer unless one is already stored; returns the one stored.</summary>
    public static async Task<string> StoreCustomerAsync(DbTransactionScope scope, Guid tenantId, string customerId, DateTimeOffset now)
    {
        await scope.Connection.ExecuteAsync(scope.Command(InsertCustomerSql, new { TenantId = tenantId, CustomerId = customerId, Now = now }));
        return (await CustomerIdAsync(scope, tenantId))!;
    }

    public static Task SetStripeInvoiceAsync(DbTransactionScope scope, Guid invoiceId, string stripeInvoiceId, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(SetStripeInvoiceSql, new { Id = invoiceId, StripeInvoiceId = stripeInvoiceId, Now = now }));

    public static Task<BillingContact?> BillingContactAsync(DbTransactionScope scope, Guid tenantId) =>
        scope.Connection.QuerySingleOrDefaultAsync<BillingContact>(scope.Command(BillingContactSql, new { TenantId = tenantId }));

    /// <summary>True the first time an event id is seen; false for Stripe's repeated deliveries.</summary>
    public static async Task<bool> ClaimEventAsync(DbTransactionScope scope, string eventId, string eventType, DateTimeOffset now) =>
        await scope.Connection.ExecuteAsync(scope.Command(ClaimEventSql, new { EventId = eventId, EventType = eventType, Now = now })) == 1;

    internal sealed record BillingContact
    {
        public string Name { get; init; } = "";
        public string? Email { get; init; }
    }
}
