using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Reports;

/// <summary>A report sent, or being sent, to one recipient.</summary>
public sealed record ReportDelivery(
    Guid Id,
    Guid? UserId,
    string Recipient,
    string PeriodKind,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    string Trigger,
    string Status,
    DateTimeOffset? SentAt,
    string? ArchivePath);

internal sealed record Recipient(Guid UserId, string Email, string Role, DateTimeOffset CreatedAt, bool Daily, bool Weekly, bool Monthly)
{
    public bool Wants(ReportPeriodKind kind) => kind switch
    {
        ReportPeriodKind.Day => Daily,
        ReportPeriodKind.Week => Weekly,
        _ => Monthly,
    };
}

internal sealed record SubscriptionRow(bool Daily, bool Weekly, bool Monthly);

internal static class ReportTrigger
{
    public const string Schedule = "schedule";
    public const string Manual = "manual";
}

/// <summary>The SQL of subscriptions and deliveries; every statement runs in the tenant's own transaction.</summary>
internal static class ReportDeliveryStore
{
    private const string RecipientsSql = """
        SELECT u.id AS UserId, u.email AS Email, u.role AS Role, u.created_at AS CreatedAt,
               coalesce(s.daily, @DefaultDaily) AS Daily, coalesce(s.weekly, @DefaultWeekly) AS Weekly, coalesce(s.monthly, @DefaultMonthly) AS Monthly
        FROM users u LEFT JOIN report_subscriptions s ON s.user_id = u.id
        WHERE u.status = 'active' AND (@UserId IS NULL OR u.id = @UserId)
        ORDER BY u.id
        """;

    private const string SubscriptionSql = "SELECT daily AS Daily, weekly AS Weekly, monthly AS Monthly FROM report_subscriptions WHERE user_id = @UserId";

    private const string UpsertSubscriptionSql = """
        INSERT INTO report_subscriptions (tenant_id, user_id, daily, weekly, monthly, updated_at)
        VALUES (@TenantId, @UserId, @Daily, @Weekly, @Monthly, @Now)
        ON CONFLICT (tenant_id, user_id) DO UPDATE SET daily = EXCLUDED.daily, weekly = EXCLUDED.weekly, monthly = EXCLUDED.monthly, updated_at = EXCLUDED.updated_at
        """;

    // Claims one scheduled report: a new row, or a row whose earlier attempt failed or crashed mid-send. Two timer
    // runs racing for the same row serialize on the unique index; the loser gets no row back and sends nothing.
    private const string ClaimScheduledSql = """
        INSERT INTO report_deliveries (id, tenant_id, user_id, recipient, period_kind, period_start, period_end, trigger, requested_by, status, attempts, claimed_at)
        VALUES (@Id, @TenantId, @UserId, @Recipient, @PeriodKind, @PeriodStart::date, @PeriodEnd::date, 'schedule', 'schedule', 'sending', 1, @Now)
        ON CONFLICT (tenant_id, user_id, period_kind, period_start) WHERE trigger = 'schedule'
        DO UPDATE SET status = 'sending', attempts = report_deliveries.attempts + 1, claimed_at = EXCLUDED.claimed_at,
                      recipient = EXCLUDED.recipient, error = NULL
        WHERE (report_deliveries.status = 'failed' AND report_deliveries.attempts < @MaxAttempts)
           OR (report_deliveries.status = 'sending' AND report_deliveries.claimed_at < @StaleBefore)
        RETURNING id
        """;

    private const string InsertManualSql = """
        INSERT INTO report_deliveries (id, tenant_id, user_id, recipient, period_kind, period_start, period_end, trigger, requested_by, status, attempts, claimed_at)
        VALUES (@Id, @TenantId, @UserId, @Recipient, @PeriodKind, @PeriodStart::date, @PeriodEnd::date, 'manual', @RequestedBy, 'sending', 1, @Now)
        """;

    private const string MarkSentSql = "UPDATE report_deliveries SET status = 'sent', sent_at = @Now, archive_path = @ArchivePath, error = NULL WHERE id = @Id";

    private const string MarkFailedSql = "UPDATE report_deliveries SET status = 'failed', error = @Error, archive_path = @ArchivePath WHERE id = @Id";

    private const string ByIdSql = """
        SELECT id AS Id, user_id AS UserId, recipient AS Recipient, period_kind AS PeriodKind, period_start AS PeriodStart, period_end AS PeriodEnd,
               trigger AS Trigger, status AS Status, sent_at AS SentAt, archive_path AS ArchivePath
        FROM report_deliveries WHERE id = @Id
        """;

    public static async Task<IReadOnlyList<Recipient>> RecipientsAsync(DbTransactionScope scope, ReportsOptions options, Guid? userId = null) =>
        (await scope.Connection.QueryAsync<Recipient>(scope.Command(RecipientsSql, new
        {
            options.DefaultDaily, options.DefaultWeekly, options.DefaultMonthly, UserId = userId,
        }))).ToList();

    public static Task<SubscriptionRow?> SubscriptionAsync(DbTransactionScope scope, Guid userId) =>
        scope.Connection.QuerySingleOrDefaultAsync<SubscriptionRow>(scope.Command(SubscriptionSql, new { UserId = userId }));

    public static Task UpsertSubscriptionAsync(DbTransactionScope scope, Guid tenantId, Guid userId, bool daily, bool weekly, bool monthly, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(UpsertSubscriptionSql, new { TenantId = tenantId, UserId = userId, Daily = daily, Weekly = weekly, Monthly = monthly, Now = now }));

    public static Task<Guid?> ClaimScheduledAsync(DbTransactionScope scope, Guid tenantId, Recipient recipient, ReportPeriod period, DateTimeOffset now, ReportsOptions options) =>
        scope.Connection.QuerySingleOrDefaultAsync<Guid?>(scope.Command(ClaimScheduledSql, new
        {
            Id = Guid.CreateVersion7(), TenantId = tenantId, recipient.UserId, Recipient = recipient.Email, PeriodKind = ReportPeriod.Name(period.Kind),
            PeriodStart = period.Start.ToDateTime(TimeOnly.MinValue), PeriodEnd = period.End.ToDateTime(TimeOnly.MinValue), Now = now,
            options.MaxAttempts, StaleBefore = now - options.ClaimTimeout,
        }));

    public static async Task<Guid> InsertManualAsync(DbTransactionScope scope, Guid tenantId, Recipient recipient, ReportPeriod period, string requestedBy, DateTimeOffset now)
    {
        var id = Guid.CreateVersion7();
        await scope.Connection.ExecuteAsync(scope.Command(InsertManualSql, new
        {
            Id = id, TenantId = tenantId, recipient.UserId, Recipient = recipient.Email, PeriodKind = ReportPeriod.Name(period.Kind),
            PeriodStart = period.Start.ToDateTime(TimeOnly.MinValue), PeriodEnd = period.End.ToDateTime(TimeOnly.MinValue), RequestedBy = requestedBy, Now = now,
        }));
        return id;
    }

    public static Task MarkSentAsync(DbTransactionScope scope, Guid id, string archivePath, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(MarkSentSql, new { Id = id, ArchivePath = archivePath, Now = now }));

    public static Task MarkFailedAsync(DbTransactionScope scope, Guid id, string error, string? archivePath) =>
        scope.Connection.ExecuteAsync(scope.Command(MarkFailedSql, new { Id = id, Error = error, ArchivePath = archivePath }));

    public static async Task<ReportDelivery> FindAsync(DbTransactionScope scope, Guid id)
    {
        var row = await scope.Connection.QuerySingleAsync<(Guid Id, Guid? UserId, string Recipient, string PeriodKind, DateTime PeriodStart, DateTime PeriodEnd, string Trigger, string Status, DateTime? SentAt, string? ArchivePath)>(
            scope.Command(ByIdSql, new { Id = id }));
        return new ReportDelivery(row.Id, row.UserId, row.Recipient, row.PeriodKind, DateOnly.FromDateTime(row.PeriodStart), DateOnly.FromDateTime(row.PeriodEnd),
            row.Trigger, row.Status, row.SentAt is { } sent ? new DateTimeOffset(DateTime.SpecifyKind(sent, DateTimeKind.Utc)) : null, row.ArchivePath);
    }
}
