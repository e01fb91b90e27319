using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Reports;

internal sealed record ReportContext(string Name, string Status, string? TimeZone, string? Currency, string? SendAt, string? WeeklyOn);

internal sealed record NewLeadRow(string Source, string? Tier, bool InPeriod, int Count);

internal sealed record OutcomeRow(string Outcome, string? Currency, bool InPeriod, int Count, decimal Amount);

internal sealed record StageRow(string Key, string Name, string Kind, int Position);

internal sealed record StageTotalsRow(string Stage, int Count, decimal Realized, decimal Estimated, int EstimatedCount);

internal sealed record StaleLeadRow(Guid Id, string? FirstName, string? LastName, string? Company, string? Email, string? Source, DateTimeOffset CreatedAt, DateTimeOffset? LastTouchedAt, int Total);

internal sealed record ResponseRow(bool InPeriod, int Created, int Responded, double? AverageSeconds);

internal sealed record DailyAmountRow(string Day, decimal Amount);

internal sealed record FieldWorkRow(int VisitsCompleted, int VisitsReportedLate, int QuotesSent, long QuotedMinor, int QuotesApproved, long ApprovedMinor);

/// <summary>
/// The report's SQL. Every statement runs in the tenant's own transaction: row-level security scopes it, so none
/// of them names a tenant. A "human touch" is an activity by a user other than creating or merging the lead, or
/// scoring it.
/// </summary>
internal static class ReportStore
{
    public const string HumanTouch = "a.actor LIKE 'user:%' AND a.kind NOT IN ('created', 'merged', 'scored')";

    private const string ContextSql = """
        SELECT t.name AS Name, t.status AS Status, s.time_zone AS TimeZone, coalesce(s.settings #>> '{reports,currency}', s.settings ->> 'currency') AS Currency,
               s.settings #>> '{reports,sendAt}' AS SendAt, s.settings #>> '{reports,weeklyOn}' AS WeeklyOn
        FROM tenants t LEFT JOIN tenant_settings s ON s.tenant_id = t.id
        WHERE t.id = @TenantId
        """;

    private const string MainCurrencySql = """
        SELECT won_currency FROM leads WHERE outcome = 'won' AND deleted_at IS NULL AND won_currency IS NOT NULL
        GROUP BY won_currency ORDER BY count(*) DESC, won_currency LIMIT 1
        """;

    private const string NewLeadsSql = """
        SELECT coalesce(source, '') AS Source, score_tier AS Tier, created_at >= @Start AS InPeriod, count(*)::int AS Count
        FROM leads
        WHERE deleted_at IS NULL AND created_at >= @PreviousStart AND created_at < @End
        GROUP BY 1, 2, 3
        """;

    private const string OutcomesSql = """
        SELECT outcome AS Outcome, won_currency AS Currency, outcome_at >= @Start AS InPeriod, count(*)::int AS Count,
               coalesce(sum(won_amount), 0) AS Amount
        FROM leads
        WHERE deleted_at IS NULL AND outcome IS NOT NULL AND outcome_at >= @PreviousStart AND outcome_at < @End
        GROUP BY 1, 2, 3
        """;

    private const string StagesSql = "SELECT key AS Key, name AS Name, kind AS Kind, position AS Position FROM pipeline_stages ORDER BY position";

    // estimatedValue wins over value; a JSON number or a plain decimal string counts, anything else adds nothing.
    private const string StageTotalsSql = """
        SELECT l.stage AS Stage, count(*)::int AS Count,
               coalesce(sum(l.won_amount) FILTER (WHERE l.outcome = 'won' AND l.won_currency = @Currency), 0) AS Realized,
               coalesce(sum(e.estimate), 0) AS Estimated, count(e.estimate)::int AS EstimatedCount
        FROM leads l
        CROSS JOIN LATERAL (
            SELECT CASE
                WHEN l.attributes->>'estimatedValue' ~ '^[0-9]{1,15}(\.[0-9]+)?$' THEN (l.attributes->>'estimatedValue')::numeric
                WHEN l.attributes->>'value' ~ '^[0-9]{1,15}(\.[0-9]+)?$' THEN (l.attributes->>'value')::numeric
            END AS estimate) e
        WHERE l.deleted_at IS NULL
        GROUP BY l.stage
        """;

    private const string StaleHotLeadsSql = $"""
        WITH stale AS (
            SELECT l.id, l.first_name, l.last_name, l.company, NULL::text AS email, l.source, l.created_at, t.last_touch
            FROM leads l
            LEFT JOIN LATERAL (SELECT max(a.occurred_at) AS last_touch FROM lead_activities a WHERE a.lead_id = l.id AND {HumanTouch}) t ON true
            WHERE l.deleted_at IS NULL AND l.outcome IS NULL AND l.score_tier = 'hot' AND l.created_at <= @Cutoff
              AND (t.last_touch IS NULL OR t.last_touch <= @Cutoff))
        SELECT id AS Id, first_name AS FirstName, last_name AS LastName, company AS Company, email AS Email, source AS Source,
               created_at AS CreatedAt, last_touch AS LastTouchedAt, (count(*) OVER ())::int AS Total
        FROM stale ORDER BY created_at, id LIMIT @Limit
        """;

    private const string StaleHotLeadCountSql = $"""
        SELECT count(*)::int FROM leads l
        WHERE l.deleted_at IS NULL AND l.outcome IS NULL AND l.score_tier = 'hot' AND l.created_at <= @Cutoff
          AND NOT EXISTS (SELECT 1 FROM lead_activities a WHERE a.lead_id = l.id AND {HumanTouch} AND a.occurred_at > @Cutoff)
        """;

    private const string ResponseTimesSql = $"""
        SELECT l.created_at >= @Start AS InPeriod, count(*)::int AS Created, count(f.first_touch)::int AS Responded,
               avg(extract(epoch FROM f.first_touch - l.created_at))::float8 AS AverageSeconds
        FROM leads l
        LEFT JOIN LATERAL (
            SELECT min(a.occurred_at) AS first_touch FROM lead_activities a WHERE a.lead_id = l.id AND {HumanTouch} AND a.occurred_at <= @AsOf) f ON true
        WHERE l.deleted_at IS NULL AND l.created_at >= @PreviousStart AND l.created_at < @End
        GROUP BY 1
        """;

    // A completed visit's status_changed_at is its completion; late_minutes is set when the technician reported it late.
    // Quotes: the latest version of each (a superseded one was revised), in the report currency.
    private const string FieldWorkSql = """
        SELECT (SELECT count(*)::int FROM visits WHERE status = 'completed' AND status_changed_at >= @Start AND status_changed_at < @End) AS VisitsCompleted,
               (SELECT count(*)::int FROM visits WHERE status = 'completed' AND status_changed_at >= @Start AND status_changed_at < @End
                                                 AND late_minutes IS NOT NULL) AS VisitsReportedLate,
               (SELECT count(*)::int FROM quotes WHERE status <> 'superseded' AND sent_at >= @Start AND sent_at < @End AND currency = @Currency) AS QuotesSent,
               (SELECT coalesce(sum(total_minor), 0)::bigint FROM quotes
                WHERE status <> 'superseded' AND sent_at >= @Start AND sent_at < @End AND currency = @Currency) AS QuotedMinor,
               (SELECT count(*)::int FROM quotes WHERE status = 'approved' AND decided_at >= @Start AND decided_at < @End AND currency = @Currency) AS QuotesApproved,
               (SELECT coalesce(sum(total_minor), 0)::bigint FROM quotes
                WHERE status = 'approved' AND decided_at >= @Start AND decided_at < @End AND currency = @Currency) AS ApprovedMinor
        """;

    private const string FirstLeadSql = "SELECT min(created_at) FROM leads WHERE deleted_at IS NULL";

    private const string DailyWonRevenueSql = """
        SELECT to_char(outcome_at AT TIME ZONE @TimeZone, 'YYYY-MM-DD') AS Day, sum(won_amount) AS Amount
        FROM leads
        WHERE deleted_at IS NULL AND outcome = 'won' AND won_currency = @Currency AND outcome_at >= @From AND outcome_at < @To
        GROUP BY 1
        """;

    public static Task<ReportContext?> ContextAsync(DbTransactionScope scope, Guid tenantId) =>
        scope.Connection.QuerySingleOrDefaultAsync<ReportContext>(scope.Command(ContextSql, new { TenantId = tenantId }));

    public static Task<string?> MainCurrencyAsync(DbTransactionScope scope) =>
        scope.Connection.QuerySingleOrDefaultAsync<string?>(scope.Command(MainCurrencySql));

    public static async Task<IReadOnlyList<NewLeadRow>> NewLeadsAsync(DbTransactionScope scope, ReportPeriod period) =>
        (await scope.Connection.QueryAsync<NewLeadRow>(scope.Command(NewLeadsSql, Range(period)))).ToList();

    public static async Task<IReadOnlyList<OutcomeRow>> OutcomesAsync(DbTransactionScope scope, ReportPeriod period) =>
        (await scope.Connection.QueryAsync<OutcomeRow>(scope.Command(OutcomesSql, Range(period)))).ToList();

    public static async Task<IReadOnlyList<StageRow>> StagesAsync(DbTransactionScope scope) =>
        (await scope.Connection.QueryAsync<StageRow>(scope.Command(StagesSql))).ToList();

    public static async Task<IReadOnlyList<StageTotalsRow>> StageTotalsAsync(DbTransactionScope scope, string currency) =>
        (await scope.Connection.QueryAsync<StageTotalsRow>(scope.Command(StageTotalsSql, new { Currency = currency }))).ToList();

    public static async Task<IReadOnlyList<StaleLeadRow>> StaleHotLeadsAsync(DbTransactionScope scope, DateTimeOffset cutoff, int limit) =>
        (await scope.Connection.QueryAsync<StaleLeadRow>(scope.Command(StaleHotLeadsSql, new { Cutoff = cutoff, Limit = limit }))).ToList();

    public static Task<int> StaleHotLeadCountAsync(DbTransactionScope scope, DateTimeOffset cutoff) =>
        scope.Connection.ExecuteScalarAsync<int>(scope.Command(StaleHotLeadCountSql, new { Cutoff = cutoff }));

    public static async Task<IReadOnlyList<ResponseRow>> ResponseTimesAsync(DbTransactionScope scope, ReportPeriod period, DateTimeOffset asOf) =>
        (await scope.Connection.QueryAsync<ResponseRow>(scope.Command(ResponseTimesSql, new
        {
            Start = period.StartUtc, PreviousStart = period.Previous().StartUtc, End = period.EndUtc, AsOf = asOf,
        }))).ToList();

    public static Task<DateTimeOffset?> FirstLeadAsync(DbTransactionScope scope) =>
        scope.Connection.QuerySingleOrDefaultAsync<DateTimeOffset?>(scope.Command(FirstLeadSql));

    public static async Task<IReadOnlyList<DailyAmountRow>> DailyWonRevenueAsync(DbTransactionScope scope, string timeZone, string currency, DateTimeOffset from, DateTimeOffset to) =>
        (await scope.Connection.QueryAsync<DailyAmountRow>(scope.Command(DailyWonRevenueSql, new { TimeZone = timeZone, Currency = currency, From = from, To = to }))).ToList();

    public static Task<FieldWorkRow> FieldWorkAsync(DbTransactionScope scope, ReportPeriod period, string currency) =>
        scope.Connection.QuerySingleAsync<FieldWorkRow>(scope.Command(FieldWorkSql, new { Start = period.StartUtc, End = period.EndUtc, Currency = currency }));

    private static object Range(ReportPeriod period) => new { Start = period.StartUtc, PreviousStart = period.Previous().StartUtc, End = period.EndUtc };
}
