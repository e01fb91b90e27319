using Dapper;
using StreamFlow.Core.Database;
using StreamFlow.Core.Leads;
using ApiScore = StreamFlow.Core.Leads.LeadScore;

namespace StreamFlow.Core.Scoring;

/// <summary>The SQL of leads' scores (current score on the lead, history in lead_scores); runs in the caller's tenant transaction.</summary>
internal static class LeadScoreStore
{
    private const string LeadsSql = $"SELECT {LeadStore.Columns} FROM leads WHERE id = ANY (@Ids) AND deleted_at IS NULL";

    private const string PendingSql = $"SELECT {LeadStore.Columns} FROM leads WHERE score_status = 'pending' AND deleted_at IS NULL AND updated_at < @Before ORDER BY updated_at LIMIT @Limit";

    // Training data: every lead with a known outcome.
    private const string OutcomesSql = $"SELECT {LeadStore.Columns} FROM leads WHERE outcome IS NOT NULL AND deleted_at IS NULL";

    private const string NewOutcomesSinceSql = "SELECT EXISTS (SELECT 1 FROM leads WHERE outcome_at > @Since AND deleted_at IS NULL)";

    private const string PersistManySql = """
        UPDATE leads SET score = x.score::jsonb, score_value = x.value, score_tier = x.tier, score_status = 'scored', score_error = NULL, scored_at = @Now
        FROM unnest(@Ids::uuid[], @Scores::text[], @Values::integer[], @Tiers::text[]) AS x (id, score, value, tier)
        WHERE leads.id = x.id;
        INSERT INTO lead_scores (id, tenant_id, lead_id, value, tier, probability, confidence, factors, model, scored_at)
        SELECT x.id, @TenantId, x.lead_id, x.value, x.tier, x.probability, x.confidence, x.factors::jsonb, x.model, @Now
        FROM unnest(@HistoryIds::uuid[], @Ids::uuid[], @Values::integer[], @Tiers::text[], @Probabilities::double precision[], @Confidences::double precision[],
                    @Factors::text[], @Models::text[]) AS x (id, lead_id, value, tier, probability, confidence, factors, model)
        """;

    // The last score stays, its confidence halved: it is older than the lead now.
    private const string FailSql = """
        UPDATE leads SET score_status = 'failed', score_error = @Error,
            score = CASE WHEN score IS NULL THEN NULL ELSE jsonb_set(score, '{confidence}', to_jsonb(round(((score->>'confidence')::numeric) / 2, 3))) END
        WHERE id = @Id
        """;

    public static async Task<IReadOnlyList<StoredLead>> LeadsAsync(DbTransactionScope scope, Guid[] ids) =>
        (await scope.QueryAsync<StoredLead>(LeadsSql, new { Ids = ids })).AsList();

    public static async Task<IReadOnlyList<StoredLead>> PendingAsync(DbTransactionScope scope, DateTimeOffset before, int limit) =>
        (await scope.Connection.QueryAsync<StoredLead>(scope.Command(PendingSql, new { Before = before, Limit = limit }))).AsList();

    /// <summary>Each lead's current score, and a row of its score history: two statements for the whole batch.</summary>
    public static Task PersistManyAsync(
        DbTransactionScope scope, Guid tenantId, IReadOnlyList<(Guid LeadId, ApiScore Score, string ScoreJson, string FactorsJson)> scores, DateTimeOffset now) =>
        scope.ExecuteAsync(PersistManySql, new
        {
            TenantId = tenantId, Now = now, Ids = scores.Select(s => s.LeadId).ToArray(), HistoryIds = scores.Select(_ => Guid.CreateVersion7()).ToArray(),
            Scores = scores.Select(s => s.ScoreJson).ToArray(), Values = scores.Select(s => s.Score.Value).ToArray(), Tiers = scores.Select(s => s.Score.Tier).ToArray(),
            Probabilities = scores.Select(s => s.Score.Probability).ToArray(), Confidences = scores.Select(s => s.Score.Confidence).ToArray(),
            Factors = scores.Select(s => s.FactorsJson).ToArray(), Models = scores.Select(s => s.Score.Model).ToArray(),
        });

    public static Task<int> MarkFailedAsync(DbTransactionScope scope, Guid leadId, string error) =>
        scope.Connection.ExecuteAsync(scope.Command(FailSql, new { Id = leadId, Error = error }));

    public static async Task<IReadOnlyList<StoredLead>> WithOutcomeAsync(DbTransactionScope scope) =>
        (await scope.Connection.QueryAsync<StoredLead>(scope.Command(OutcomesSql))).AsList();

    public static Task<bool> AnyOutcomeSinceAsync(DbTransactionScope scope, DateTimeOffset since) =>
        scope.Connection.ExecuteScalarAsync<bool>(scope.Command(NewOutcomesSinceSql, new { Since = since }));
}
