using Dapper;
using StreamFlow.Core.Database;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Privacy;

namespace StreamFlow.Core.Scoring.Governance;

internal sealed record ScoredOutcome(short Score, string Tier, bool Won);

internal sealed record GroupCount(string Bin, long Leads);

internal sealed record FairnessRow(string Grp, long Leads, long Hot, long Decided, long Won, long HotDecided, long HotWon, Guid? SampleId, byte[]? SampleSealed);

internal sealed record TrainingPeriod(DateTime? From, DateTime? To);

/// <summary>The SQL of model governance: aggregates over the tenant's leads (row-level security).</summary>
internal static class ModelGovernanceStore
{
    // The groups a tenant may compare: a lead's source, state, and postal area (the first three characters of the code).
    // State and postal code are sealed (#15): leads group by their blind index, and a fairness group is labelled by
    // opening one of its sealed values (SampleSealed).
    private const string GroupExpressions = """
        CASE @Dimension WHEN 'source' THEN COALESCE(NULLIF(source, ''), '(none)')
                        WHEN 'state' THEN COALESCE(encode(state_index, 'hex'), '(none)')
                        ELSE COALESCE(encode(postal_area_index, 'hex'), '(none)') END
        """;

    // Outcomes that arrived after training: the model never saw them.
    private const string OutcomesSinceSql = """
        SELECT score_value AS Score, score_tier AS Tier, outcome = 'won' AS Won
        FROM leads
        WHERE deleted_at IS NULL AND outcome IS NOT NULL AND score_value IS NOT NULL AND outcome_at > @Since
        """;

    // What the model learned from: leads decided by the time it was trained.
    private const string TrainingPopulationSql = $"""
        SELECT {GroupExpressions} AS Bin, count(*) AS Leads
        FROM leads
        WHERE deleted_at IS NULL AND outcome IS NOT NULL AND outcome_at <= @TrainedAt
        GROUP BY 1
        """;

    private const string RecentPopulationSql = $"""
        SELECT {GroupExpressions} AS Bin, count(*) AS Leads
        FROM leads
        WHERE deleted_at IS NULL AND created_at >= @Since
        GROUP BY 1
        """;

    // The newest leads of the window, for the model's own columns (read as profiles in memory, so capped).
    private const string RecentLeadsSql = $"""
        SELECT {LeadStore.Columns} FROM leads
        WHERE deleted_at IS NULL AND created_at >= @Since
        ORDER BY created_at DESC
        LIMIT @Limit
        """;

    private const string TrainingPeriodSql = """
        SELECT min(created_at) AS "From", max(created_at) AS "To"
        FROM leads WHERE deleted_at IS NULL AND outcome IS NOT NULL AND outcome_at <= @TrainedAt
        """;

    private const string FairnessSql = $"""
        SELECT {GroupExpressions} AS Grp, count(*) AS Leads,
               count(*) FILTER (WHERE score_tier = 'hot') AS Hot,
               count(*) FILTER (WHERE outcome IS NOT NULL) AS Decided,
               count(*) FILTER (WHERE outcome = 'won') AS Won,
               count(*) FILTER (WHERE score_tier = 'hot' AND outcome IS NOT NULL) AS HotDecided,
               count(*) FILTER (WHERE score_tier = 'hot' AND outcome = 'won') AS HotWon,
               (array_agg(id ORDER BY id))[1] AS SampleId,
               (array_agg(CASE @Dimension WHEN 'state' THEN state_sealed WHEN 'postalArea' THEN postal_code_sealed END ORDER BY id))[1] AS SampleSealed
        FROM leads
        WHERE deleted_at IS NULL AND score_tier IS NOT NULL AND scored_at >= @Since
        GROUP BY 1
        ORDER BY count(*) DESC
        LIMIT 200
        """;

    public static async Task<IReadOnlyList<ScoredOutcome>> OutcomesSinceAsync(DbTransactionScope scope, DateTimeOffset since) =>
        [.. await scope.Connection.QueryAsync<ScoredOutcome>(scope.Command(OutcomesSinceSql, new { Since = since }))];

    public static async Task<IReadOnlyDictionary<string, long>> TrainingPopulationAsync(DbTransactionScope scope, string dimension, DateTimeOffset trainedAt) =>
        (await scope.Connection.QueryAsync<GroupCount>(scope.Command(TrainingPopulationSql, new { Dimension = dimension, TrainedAt = trainedAt })))
            .ToDictionary(row => row.Bin, row => row.Leads);

    public static async Task<IReadOnlyDictionary<string, long>> RecentPopulationAsync(DbTransactionScope scope, string dimension, DateTimeOffset since) =>
        (await scope.Connection.QueryAsync<GroupCount>(scope.Command(RecentPopulationSql, new { Dimension = dimension, Since = since })))
            .ToDictionary(row => row.Bin, row => row.Leads);

    public static async Task<IReadOnlyList<StoredLead>> RecentLeadsAsync(DbTransactionScope scope, DateTimeOffset since, int limit) =>
        [.. await scope.Connection.QueryAsync<StoredLead>(scope.Command(RecentLeadsSql, new { Since = since, Limit = limit }))];

    public static Task<TrainingPeriod> TrainingPeriodAsync(DbTransactionScope scope, DateTimeOffset trainedAt) =>
        scope.Connection.QuerySingleAsync<TrainingPeriod>(scope.Command(TrainingPeriodSql, new { TrainedAt = trainedAt }));

    /// <param name="keys">Opens a group's sample to label state and postal-area groups; not used for sources.</param>
    public static async Task<IReadOnlyList<FairnessRow>> FairnessAsync(DbTransactionScope scope, TenantKeys? keys, string dimension, DateTimeOffset since) =>
        [.. (await scope.Connection.QueryAsync<FairnessRow>(scope.Command(FairnessSql, new { Dimension = dimension, Since = since })))
            .Select(row => row with { Grp = GroupLabel(keys, dimension, row) })];

    private static string GroupLabel(TenantKeys? keys, string dimension, FairnessRow row)
    {
        if (dimension == "source" || row.SampleSealed is null || row.SampleId is not { } sampleId || keys is null)
        {
            return row.Grp;
        }

        var value = dimension == "state"
            ? PersonalFields.StateGroup(keys.Open(PersonalFields.LeadsTable, PersonalFields.State, sampleId, row.SampleSealed))
            : PersonalFields.PostalAreaGroup(keys.Open(PersonalFields.LeadsTable, PersonalFields.PostalCode, sampleId, row.SampleSealed));
        return value ?? "(none)";
    }
}
