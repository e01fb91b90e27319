using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.FieldOps.Quotes;

internal sealed record QuoteTokenMatch(Guid TenantId, Guid QuoteId);

internal sealed record StoredQuoteLine(string Description, decimal Quantity, decimal UnitPrice, bool Optional, bool Selected, bool Taxable);

internal sealed record StoredQuote
{
    public Guid Id { get; init; }

    public Guid LeadId { get; init; }

    public int Number { get; init; }

    public int Version { get; init; }

    public string Status { get; init; } = "";

    public string Title { get; init; } = "";

    public string CustomerName { get; init; } = "";

    public string? CustomerEmail { get; init; }

    public string ServiceAddress { get; init; } = "";

    public double Latitude { get; init; }

    public double Longitude { get; init; }

    public string Currency { get; init; } = "";

    public string Lines { get; init; } = "[]";

    public decimal TaxRate { get; init; }

    public long SubtotalMinor { get; init; }

    public long TaxMinor { get; init; }

    public long TotalMinor { get; init; }

    public long DepositMinor { get; init; }

    public string? Message { get; init; }

    public DateOnly? ValidUntil { get; init; }

    public DateTimeOffset? TokenExpiresAt { get; init; }

    public DateTimeOffset? SentAt { get; init; }

    public DateTimeOffset? DecidedAt { get; init; }

    public string? DecidedByName { get; init; }

    public string? DeclineReason { get; init; }

    public Guid? JobId { get; init; }

    public string CreatedBy { get; init; } = "";

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public long DepositPaidMinor { get; init; }

    public int DepositPayments { get; init; }

    public DateTimeOffset? DepositLastPaidAt { get; init; }
}

/// <summary>The SQL of quotes.</summary>
internal static class QuoteStore
{
    private const string Columns = """
        id AS Id, lead_id AS LeadId, number AS Number, version AS Version, status AS Status, title AS Title,
        customer_name AS CustomerName, customer_email AS CustomerEmail, service_address AS ServiceAddress, latitude AS Latitude,
        longitude AS Longitude, currency AS Currency, lines::text AS Lines, tax_rate AS TaxRate, subtotal_minor AS SubtotalMinor,
        tax_minor AS TaxMinor, total_minor AS TotalMinor, deposit_minor AS DepositMinor, message AS Message, valid_until AS ValidUntil,
        token_expires_at AS TokenExpiresAt, sent_at AS SentAt, decided_at AS DecidedAt, decided_by_name AS DecidedByName,
        decline_reason AS DeclineReason, job_id AS JobId, created_by AS CreatedBy, created_at AS CreatedAt, updated_at AS UpdatedAt,
        d.paid_minor AS DepositPaidMinor, d.payments AS DepositPayments, d.last_paid_at AS DepositLastPaidAt
        """;

    // Every read of a quote carries its deposit payments' sum; the lateral join keeps FOR UPDATE on the quote row alone.
    private const string From = """
        quotes CROSS JOIN LATERAL (
            SELECT coalesce(sum(p.amount_minor), 0)::bigint AS paid_minor, count(*)::int AS payments, max(p.paid_at) AS last_paid_at
            FROM quote_deposit_payments p WHERE p.quote_id = quotes.id) d
        """;

    private const string InsertSql = """
        INSERT INTO quotes (id, tenant_id, lead_id, number, version, status, title, customer_name, customer_email, service_address,
            latitude, longitude, currency, lines, tax_rate, subtotal_minor, tax_minor, total_minor, deposit_minor, message, valid_until,
            created_by, created_at, updated_at)
        VALUES (@Id, @TenantId, @LeadId, @Number, @Version, 'draft', @Title, @CustomerName, @CustomerEmail, @ServiceAddress,
            @Latitude, @Longitude, @Currency, @Lines::jsonb, @TaxRate, @SubtotalMinor, @TaxMinor, @TotalMinor, @DepositMinor, @Message,
            @ValidUntil, @CreatedBy, @Now, @Now)
        """;

    // A draft is changed in place; a sent quote is never changed, it is revised into a new version.
    private const string UpdateDraftSql = """
        UPDATE quotes SET title = @Title, customer_name = @CustomerName, customer_email = @CustomerEmail, service_address = @ServiceAddress,
            latitude = @Latitude, longitude = @Longitude, currency = @Currency, lines = @Lines::jsonb, tax_rate = @TaxRate,
            subtotal_minor = @SubtotalMinor, tax_minor = @TaxMinor, total_minor = @TotalMinor, deposit_minor = @DepositMinor,
            message = @Message, valid_until = @ValidUntil, updated_at = @Now
        WHERE id = @Id AND status = 'draft'
        """;

    // Serialises quote numbering per tenant: the advisory lock is held until the transaction ends.
    private const string LockNumberingSql = "SELECT pg_advisory_xact_lock(hashtextextended('quotes:' || @TenantId::text, 0))";

    // Read after the lock, in a statement of its own: its snapshot then sees every number committed before.
    private const string NextNumberSql = "SELECT COALESCE(max(number), 0) + 1 FROM quotes";

    private const string LatestVersionSql = "SELECT COALESCE(max(version), 0) FROM quotes WHERE number = @Number";

    private const string ByIdSql = $"SELECT {Columns} FROM {From} WHERE id = @Id";

    private const string ByIdForUpdateSql = $"SELECT {Columns} FROM {From} WHERE id = @Id FOR UPDATE OF quotes";

    private const string PageSql = $"""
        SELECT {Columns} FROM {From} WHERE (@Before::uuid IS NULL OR id < @Before)
          AND (@LeadId::uuid IS NULL OR lead_id = @LeadId) AND (@Status::text IS NULL OR status = @Status)
        ORDER BY id DESC LIMIT @Limit
        """;

    private const string MarkSentSql = """
        UPDATE quotes SET status = 'sent', customer_email = @Email, approval_token_hash = @TokenHash, token_expires_at = @ExpiresAt,
            sent_at = @Now, updated_at = @Now
        WHERE id = @Id AND status IN ('draft', 'sent')
        """;

    private const string SupersedeSql = """
        UPDATE quotes SET status = 'superseded', approval_token_hash = NULL, updated_at = @Now
        WHERE number = @Number AND id <> @Id AND status IN ('draft', 'sent')
        """;

    // The decision consumes the link: the token hash is cleared, so a second use finds nothing.
    private const string DecideSql = """
        UPDATE quotes SET status = @Status, lines = COALESCE(@Lines::jsonb, lines), subtotal_minor = COALESCE(@SubtotalMinor, subtotal_minor),
            tax_minor = COALESCE(@TaxMinor, tax_minor), total_minor = COALESCE(@TotalMinor, total_minor), approval_token_hash = NULL,
            decided_at = @Now, decided_by_name = @Name, decline_reason = @Reason, job_id = @JobId, updated_at = @Now
        WHERE id = @Id AND status = 'sent'
        """;

    private const string FindByTokenSql = "SELECT found_tenant_id AS TenantId, found_quote_id AS QuoteId FROM quote_find_by_token(@TokenHash)";

    private const string LeadExistsSql = "SELECT EXISTS (SELECT 1 FROM leads WHERE id = @Id AND deleted_at IS NULL)";

    private const string BusinessNameSql = "SELECT name FROM tenants WHERE id = @Id";

    public static Task InsertAsync(DbTransactionScope scope, Guid tenantId, StoredQuote quote, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertSql, new
        {
            quote.Id, TenantId = tenantId, quote.LeadId, quote.Number, quote.Version, quote.Title, quote.CustomerName, quote.CustomerEmail,
            quote.ServiceAddress, quote.Latitude, quote.Longitude, quote.Currency, quote.Lines, quote.TaxRate, quote.SubtotalMinor,
            quote.TaxMinor, quote.TotalMinor, quote.DepositMinor, quote.Message, quote.ValidUntil, quote.CreatedBy, Now = now,
        }));

    public static Task<int> UpdateDraftAsync(DbTransactionScope scope, StoredQuote quote, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(UpdateDraftSql, new
        {
            quote.Id, quote.Title, quote.CustomerName, quote.CustomerEmail, quote.ServiceAddress, quote.Latitude, quote.Longitude, quote.Currency,
            quote.Lines, quote.TaxRate, quote.SubtotalMinor, quote.TaxMinor, quote.TotalMinor, quote.DepositMinor, quote.Message, quote.ValidUntil,
            Now = now,
        }));

    public static async Task<int> NextNumberAsync(DbTransactionScope scope, Guid tenantId)
    {
        await scope.Connection.ExecuteAsync(scope.Command(LockNumberingSql, new { TenantId = tenantId }));
        return await scope.Connection.ExecuteScalarAsync<int>(scope.Command(NextNumberSql));
    }

    public static Task<int> LatestVersionAsync(DbTransactionScope scope, int number) =>
        scope.Connection.ExecuteScalarAsync<int>(scope.Command(LatestVersionSql, new { Number = number }));

    public static Task<StoredQuote?> FindAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredQuote>(scope.Command(ByIdSql, new { Id = id }));

    public static Task<StoredQuote?> LockAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<StoredQuote>(scope.Command(ByIdForUpdateSql, new { Id = id }));

    public static async Task<IReadOnlyList<StoredQuote>> PageAsync(DbTransactionScope scope, Guid? leadId, string? status, Guid? before, int limit) =>
        (await scope.Connection.QueryAsync<StoredQuote>(scope.Command(PageSql, new { LeadId = leadId, Status = status, Before = before, Limit = limit }))).ToList();

    public static Task MarkSentAsync(DbTransactionScope scope, Guid id, string email, byte[] tokenHash, DateTimeOffset expiresAt, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(MarkSentSql, new { Id = id, Email = email, TokenHash = tokenHash, ExpiresAt = expiresAt, Now = now }));

    public static Task SupersedeOthersAsync(DbTransactionScope scope, int number, Guid keep, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(SupersedeSql, new { Number = number, Id = keep, Now = now }));

    public static Task<int> DecideAsync(
        DbTransactionScope scope, Guid id, string status, QuoteMath.Priced? repriced, string? lines, string? name, string? reason, Guid? jobId, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(DecideSql, new
        {
            Id = id, Status = status, Lines = lines, repriced?.SubtotalMinor, repriced?.TaxMinor, repriced?.TotalMinor, Name = name, Reason = reason,
            JobId = jobId, Now = now,
        }));

    public static Task<QuoteTokenMatch?> FindByTokenAsync(DbTransactionScope scope, byte[] tokenHash) =>
        scope.Connection.QuerySingleOrDefaultAsync<QuoteTokenMatch?>(scope.Command(FindByTokenSql, new { TokenHash = tokenHash }));

    public static Task<bool> LeadExistsAsync(DbTransactionScope scope, Guid leadId) =>
        scope.Connection.ExecuteScalarAsync<bool>(scope.Command(LeadExistsSql, new { Id = leadId }));

    public static Task<string?> BusinessNameAsync(DbTransactionScope scope, Guid tenantId) =>
        scope.Connection.ExecuteScalarAsync<string?>(scope.Command(BusinessNameSql, new { Id = tenantId }));
}
