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

    private const string PersistSql = """
        UPDATE leads SET score = @Score::jsonb, score_value = @Value, score_tier = @Tier, score_status = 'scored', score_error = NULL, scored_at = @Now
        WHERE id = @Id
        """;

    private const string HistorySql = """
        INSERT INTO lead_scores (id, tenant_id, lead_id, value, tier, probability, confidence, factors, model, scored_at)
        VALUES (@Id, @TenantId, @LeadId, @Value, @Tier, @Probability, @Confidence, @Factors::jsonb, @Model, @Now)
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

    /// <summary>Sets the lead's current score and appends it to the lead's score history.</summary>
    public static async Task PersistAsync(
        DbTransactionScope scope, Guid tenantId, Guid leadId, ApiScore score, string scoreJson, string factorsJson, DateTimeOffset now)
    {
        await scope.ExecuteAsync(PersistSql, new { Id = leadId, Score = scoreJson, score.Value, score.Tier, Now = now });
        await scope.ExecuteAsync(HistorySql, new
        {
            Id = Guid.CreateVersion7(), TenantId = tenantId, LeadId = leadId, score.Value, score.Tier, score.Probability, score.Confidence,
            Factors = factorsJson, score.Model, Now = now,
        });
    }

    public static Task<int> MarkFailedAsync(DbTransactionScope scope, Guid leadId, string error) =>
        scope.Connection.ExecuteAsync(scope.Command(FailSql, new { Id = leadId, Error = error }));

    public static async Task<IReadOnlyList<StoredLead>> WithOutcomeAsync(DbTransactionScope scope) =>
        (await scope.Connection.QueryAsync<StoredLead>(scope.Command(OutcomesSql))).AsList();

    public static Task<bool> AnyOutcomeSinceAsync(DbTransactionScope scope, DateTimeOffset since) =>
        scope.Connection.ExecuteScalarAsync<bool>(scope.Command(NewOutcomesSinceSql, new { Since = since }));
}
