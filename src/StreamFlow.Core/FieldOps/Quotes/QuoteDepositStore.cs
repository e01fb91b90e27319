using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.FieldOps.Quotes;

internal sealed record StoredDepositPayment(
    Guid PaymentId, Guid QuoteId, long AmountMinor, string Method, DateTimeOffset PaidAt, string? Reference, string RecordedBy, DateTimeOffset RecordedAt);

/// <summary>The SQL of deposit payments.</summary>
internal static class QuoteDepositStore
{
    private const string Columns = """
        payment_id AS PaymentId, quote_id AS QuoteId, amount_minor AS AmountMinor, method AS Method, paid_at AS PaidAt, reference AS Reference,
        recorded_by AS RecordedBy, recorded_at AS RecordedAt
        """;

    private const string ByIdSql = $"SELECT {Columns} FROM quote_deposit_payments WHERE payment_id = @PaymentId";

    private const string OfQuoteSql = $"SELECT {Columns} FROM quote_deposit_payments WHERE quote_id = @QuoteId ORDER BY paid_at, payment_id";

    private const string InsertSql = """
        INSERT INTO quote_deposit_payments (tenant_id, payment_id, quote_id, amount_minor, method, paid_at, reference, recorded_by, recorded_at)
        VALUES (@TenantId, @PaymentId, @QuoteId, @AmountMinor, @Method, @PaidAt, @Reference, @RecordedBy, @RecordedAt)
        ON CONFLICT (tenant_id, payment_id) DO NOTHING
        """;

    private const string PaidOnQuotesSql = "SELECT coalesce(sum(amount_minor), 0)::bigint FROM quote_deposit_payments WHERE quote_id = ANY (@Quotes)";

    public static Task<StoredDepositPayment?> FindAsync(DbTransactionScope scope, Guid paymentId) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredDepositPayment>(scope.Command(ByIdSql, new { PaymentId = paymentId }));

    public static async Task<IReadOnlyList<StoredDepositPayment>> OfQuoteAsync(DbTransactionScope scope, Guid quoteId) =>
        (await scope.Connection.QueryAsync<StoredDepositPayment>(scope.Command(OfQuoteSql, new { QuoteId = quoteId }))).ToList();

    public static async Task<bool> InsertAsync(DbTransactionScope scope, Guid tenantId, StoredDepositPayment p) =>
        await scope.Connection.ExecuteAsync(scope.Command(InsertSql, new
        {
            TenantId = tenantId, p.PaymentId, p.QuoteId, p.AmountMinor, p.Method, p.PaidAt, p.Reference, p.RecordedBy, p.RecordedAt,
        })) == 1;

    /// <summary>The deposits paid on these quotes, in minor units (an invoice that carries them counts them as paid).</summary>
    public static Task<long> PaidOnAsync(DbTransactionScope scope, IReadOnlyCollection<Guid> quotes) =>
        scope.Connection.ExecuteScalarAsync<long>(scope.Command(PaidOnQuotesSql, new { Quotes = quotes.ToArray() }));
}
