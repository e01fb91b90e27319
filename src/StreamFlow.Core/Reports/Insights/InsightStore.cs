using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Reports.Insights;

internal sealed record SourceRow(string Source, int Leads, int Decided, int Won, decimal WonRevenue, double? DaysToWin);

internal sealed record OwnerRow(Guid? OwnerId, string? OwnerName, int Leads, int Decided, int Won, decimal WonRevenue);

internal sealed record StageRow(string Stage, string Name, int Position, string Kind, int Current, int Exits, double? AverageDays, double? MedianDays, int StuckNow);

internal sealed record MonthRow(string Month, decimal Amount);

/// <summary>The SQL of business insight: aggregates over the tenant's leads (row-level security).</summary>
internal static class InsightStore
{
    // Leads created in the window, what became of them and what their won ones brought (in the report currency).
    private const string BySourceSql = """
        SELECT COALESCE(NULLIF(source, ''), '(none)') AS Source, count(*)::int AS Leads,
               count(*) FILTER (WHERE outcome IS NOT NULL)::int AS Decided, count(*) FILTER (WHERE outcome = 'won')::int AS Won,
               COALESCE(sum(won_amount) FILTER (WHERE outcome = 'won' AND won_currency = @Currency), 0) AS WonRevenue,
               (avg(EXTRACT(EPOCH FROM outcome_at - created_at) / 86400) FILTER (WHERE outcome = 'won'))::float8 AS DaysToWin
        FROM leads
        WHERE deleted_at IS NULL AND created_at >= @From AND created_at < @To
        GROUP BY 1 ORDER BY count(*) DESC LIMIT 100
        """;

    private const string ByOwnerSql = """
        SELECT l.owner_user_id AS OwnerId, u.name AS OwnerName, count(*)::int AS Leads,
               count(*) FILTER (WHERE l.outcome IS NOT NULL)::int AS Decided, count(*) FILTER (WHERE l.outcome = 'won')::int AS Won,
               COALESCE(sum(l.won_amount) FILTER (WHERE l.outcome = 'won' AND l.won_currency = @Currency), 0) AS WonRevenue
        FROM leads l LEFT JOIN users u ON u.id = l.owner_user_id
        WHERE l.deleted_at IS NULL AND l.created_at >= @From AND l.created_at < @To
        GROUP BY l.owner_user_id, u.name ORDER BY count(*) DESC LIMIT 200
        """;

    // Time in a stage: from entering it to the next move of the same lead; leads still in it count as "current", and
    // those in it longer than twice the stage's median as "stuck".
    private const string StageVelocitySql = """
        WITH moves AS (
            SELECT h.lead_id, h.to_stage AS stage, h.changed_at AS entered,
                   lead(h.changed_at) OVER (PARTITION BY h.lead_id ORDER BY h.id) AS left_at
            FROM lead_stage_history h
            WHERE h.changed_at >= @From AND h.changed_at < @To
        ), spans AS (
            SELECT stage, (EXTRACT(EPOCH FROM left_at - entered) / 86400)::float8 AS days FROM moves WHERE left_at IS NOT NULL
        ), durations AS (
            SELECT stage, count(*)::int AS exits, avg(days) AS average_days,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median_days
            FROM spans GROUP BY stage
        ), current_leads AS (
            SELECT l.stage, count(*)::int AS current,
                   count(*) FILTER (WHERE d.median_days IS NOT NULL
                       AND EXTRACT(EPOCH FROM @To - COALESCE(entered.at, l.created_at)) / 86400 > 2 * d.median_days)::int AS stuck
            FROM leads l
            LEFT JOIN durations d ON d.stage = l.stage
            LEFT JOIN LATERAL (SELECT max(h.changed_at) AS at FROM lead_stage_history h WHERE h.lead_id = l.id AND h.to_stage = l.stage) entered ON true
            WHERE l.deleted_at IS NULL AND l.outcome IS NULL
            GROUP BY l.stage
        )
        SELECT s.key AS Stage, s.name AS Name, s.position AS Position, s.kind AS Kind,
               COALESCE(c.current, 0) AS Current, COALESCE(d.exits, 0) AS Exits,
               d.average_days AS AverageDays, d.median_days AS MedianDays, COALESCE(c.stuck, 0) AS StuckNow
        FROM pipeline_stages s
        LEFT JOIN durations d ON d.stage = s.key
        LEFT JOIN current_leads c ON c.stage = s.key
        ORDER BY s.position
        """;

    private const string MonthlyWonRevenueSql = """
        SELECT to_char(outcome_at AT TIME ZONE @TimeZone, 'YYYY-MM') AS Month, sum(won_amount) AS Amount
        FROM leads
        WHERE deleted_at IS NULL AND outcome = 'won' AND won_currency = @Currency AND outcome_at >= @From AND outcome_at < @To
        GROUP BY 1 ORDER BY 1
        """;

    private const string FirstOutcomeSql = """
        SELECT min(outcome_at) FROM leads WHERE deleted_at IS NULL AND outcome = 'won' AND won_currency = @Currency
        """;

    public static async Task<IReadOnlyList<SourceRow>> BySourceAsync(DbTransactionScope scope, DateTimeOffset from, DateTimeOffset to, string currency) =>
        [.. await scope.Connection.QueryAsync<SourceRow>(scope.Command(BySourceSql, new { From = from, To = to, Currency = currency }))];

    public static async Task<IReadOnlyList<OwnerRow>> ByOwnerAsync(DbTransactionScope scope, DateTimeOffset from, DateTimeOffset to, string currency) =>
        [.. await scope.Connection.QueryAsync<OwnerRow>(scope.Command(ByOwnerSql, new { From = from, To = to, Currency = currency }))];

    public static async Task<IReadOnlyList<StageRow>> StageVelocityAsync(DbTransactionScope scope, DateTimeOffset from, DateTimeOffset to) =>
        [.. await scope.Connection.QueryAsync<StageRow>(scope.Command(StageVelocitySql, new { From = from, To = to }))];

    public static async Task<IReadOnlyList<MonthRow>> MonthlyWonRevenueAsync(DbTransactionScope scope, string timeZone, string currency, DateTimeOffset from, DateTimeOffset to) =>
        [.. await scope.Connection.QueryAsync<MonthRow>(scope.Command(MonthlyWonRevenueSql, new { TimeZone = timeZone, Currency = currency, From = from, To = to }))];

    public static Task<DateTime?> FirstWonAsync(DbTransactionScope scope, string currency) =>
        scope.Connection.ExecuteScalarAsync<DateTime?>(scope.Command(FirstOutcomeSql, new { Currency = currency }));
}
