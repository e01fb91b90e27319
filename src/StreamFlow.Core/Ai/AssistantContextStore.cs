using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Ai;

/// <summary>The SQL of the assistant's context: aggregates of the tenant's own leads, read in its tenant transaction.</summary>
internal static class AssistantContextStore
{
    private const string StagesSql = """
        SELECT stage AS Stage, count(*) AS Leads, count(*) FILTER (WHERE score_tier = 'hot') AS Hot
        FROM leads WHERE deleted_at IS NULL AND outcome IS NULL GROUP BY stage ORDER BY count(*) DESC
        """;

    private const string HotLeadsSql = """
        SELECT coalesce(company, concat_ws(' ', first_name, last_name), 'unnamed') AS Name, source AS Source, score_value AS Score, stage AS Stage
        FROM leads WHERE deleted_at IS NULL AND outcome IS NULL AND score_tier = 'hot' ORDER BY score_value DESC, id DESC LIMIT 10
        """;

    private const string OutcomesSql = """
        SELECT count(*) FILTER (WHERE outcome = 'won') AS Won, count(*) FILTER (WHERE outcome = 'lost') AS Lost,
               coalesce(sum(won_amount) FILTER (WHERE outcome = 'won'), 0) AS WonAmount
        FROM leads WHERE deleted_at IS NULL AND outcome_at > now() - interval '90 days'
        """;

    public static Task<IEnumerable<(string Stage, long Leads, long Hot)>> OpenStagesAsync(DbTransactionScope scope) =>
        scope.Connection.QueryAsync<(string Stage, long Leads, long Hot)>(scope.Command(StagesSql));

    public static Task<IEnumerable<(string Name, string? Source, short? Score, string Stage)>> TopHotLeadsAsync(DbTransactionScope scope) =>
        scope.Connection.QueryAsync<(string Name, string? Source, short? Score, string Stage)>(scope.Command(HotLeadsSql));

    public static Task<(long Won, long Lost, decimal WonAmount)> RecentOutcomesAsync(DbTransactionScope scope) =>
        scope.Connection.QuerySingleAsync<(long Won, long Lost, decimal WonAmount)>(scope.Command(OutcomesSql));
}
