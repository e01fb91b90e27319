using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Scoring.Rules;
using StreamFlow.Core.Tenancy;
using StreamFlow.Core.Webhooks;
using ApiFactor = StreamFlow.Core.Leads.ScoreFactor;
using ApiScore = StreamFlow.Core.Leads.LeadScore;

namespace StreamFlow.Core.Scoring;

/// <summary>What scoring one lead produced, for the orchestration and the events it raises.</summary>
public sealed record ScoredLead(Guid LeadId, ApiScore Score, Guid? AssignedTo);

/// <summary>
/// Scores leads: the tenant's rules, its serving model when it has one, and an AI signal when given, combined into
/// the API's score and persisted with history. Works on batches so that imports score thousands of leads per call.
/// </summary>
public sealed class LeadScoringService(
    StreamFlowDatabase database,
    TenantService tenants,
    ModelRegistry models,
    LeadRouter router,
    WebhookOutbox outbox,
    TimeProvider timeProvider)
{
    private const string LeadsSql = $"SELECT {LeadStore.Columns} FROM leads WHERE id = ANY (@Ids) AND deleted_at IS NULL";

    private const string PersistSql = """
        UPDATE leads SET score = @Score::jsonb, score_value = @Value, score_tier = @Tier, score_status = 'scored', score_error = NULL, scored_at = @Now
        WHERE id = @Id
        """;

    private const string HistorySql = """
        INSERT INTO lead_scores (id, tenant_id, lead_id, value, tier, probability, confidence, factors, model, scored_at)
        VALUES (@Id, @TenantId, @LeadId, @Value, @Tier, @Probability, @Confidence, @Factors::jsonb, @Model, @Now)
        """;

    private const string FailSql = """
        UPDATE leads SET score_status = 'failed', score_error = @Error,
            score = CASE WHEN score IS NULL THEN NULL ELSE jsonb_set(score, '{confidence}', to_jsonb(round(((score->>'confidence')::numeric) / 2, 3))) END
        WHERE id = @Id
        """;

    private const string ActivitySql = """
        INSERT INTO lead_activities (id, tenant_id, lead_id, kind, body, actor, data, occurred_at)
        VALUES (@Id, @TenantId, @LeadId, @Kind, NULL, 'streamflow', @Data::jsonb, @Now)
        """;

    /// <summary>Scores the given leads of one tenant (deleted or missing ids are skipped) and routes the unassigned ones.</summary>
    public async Task<IReadOnlyList<ScoredLead>> ScoreAsync(Guid tenantId, IReadOnlyList<Guid> leadIds, IReadOnlyDictionary<Guid, AiSignal>? aiSignals, CancellationToken cancellationToken)
    {
        var tenant = (await tenants.GetAsync(tenantId, cancellationToken)).Value ?? throw new InvalidOperationException($"Tenant {tenantId} does not exist.");
        var model = await models.ServingAsync(tenantId, cancellationToken);
        return await database.InTenantAsync(tenantId, async scope =>
        {
            var settings = await ScoringSettingsStore.LoadAsync(scope);
            var ruleSet = settings.RuleSet ?? DefaultRuleSets.For(tenant.Industry);
            var thresholds = settings.Thresholds ?? model?.Report.Thresholds ?? TierThresholds.Default;
            var leads = (await scope.Connection.QueryAsync<StoredLead>(scope.Command(LeadsSql, new { Ids = leadIds.ToArray() }))).Select(l => l.ToLead()).ToList();
            var now = timeProvider.GetUtcNow();
            var routing = await router.PrepareAsync(scope, settings.Routing);
            var scored = new List<ScoredLead>(leads.Count);
            foreach (var lead in leads)
            {
                var profile = LeadProfiles.From(lead);
                var inputs = new ScoreInputs(
                    RulesScorer.Score(ruleSet, profile), ruleSet.BaseScore,
                    model is null ? null : ModelSignal.From(model, profile),
                    aiSignals?.GetValueOrDefault(lead.Id));
                var combined = ScoreCombiner.Combine(inputs, thresholds, ScoreWeights.Default);
                var score = new ApiScore(
                    combined.Value,
                    combined.Tier.ToString().ToLowerInvariant(),
                    combined.Probability is { } p ? Math.Round(p, 4) : null,
                    Math.Round(combined.Confidence, 3),
                    combined.Factors.Select(f => new ApiFactor(f.Name, f.Direction == FactorDirection.Up ? "up" : "down", Math.Round(f.Weight, 2))).ToList(),
                    combined.Model,
                    now);
                await PersistAsync(scope, tenantId, lead.Id, score, now);
                await outbox.AddAsync(scope, tenantId, "lead.scored", new { leadId = lead.Id, score }, scope.CancellationToken);
                var assigned = lead.OwnerUserId is null ? routing.Assign(lead) : null;
                if (assigned is { } owner)
                {
                    await LeadRouter.AssignAsync(scope, tenantId, lead.Id, owner, now);
                    await outbox.AddAsync(scope, tenantId, "lead.assigned", await LeadAssignedData.ForAsync(scope, lead.Id, owner, now), scope.CancellationToken);
                }

                scored.Add(new ScoredLead(lead.Id, score, assigned));
            }

            return scored;
        }, cancellationToken);
    }

    private const string PendingSql = $"SELECT {LeadStore.Columns} FROM leads WHERE score_status = 'pending' AND deleted_at IS NULL AND updated_at < @Before ORDER BY updated_at LIMIT @Limit";

    /// <summary>Leads still waiting for a score after <paramref name="olderThan"/>: the sweep schedules them again.</summary>
    public Task<IReadOnlyList<Lead>> PendingAsync(Guid tenantId, TimeSpan olderThan, int limit, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyList<Lead>>(tenantId, async scope =>
            (await scope.Connection.QueryAsync<StoredLead>(scope.Command(PendingSql, new { Before = timeProvider.GetUtcNow() - olderThan, Limit = limit })))
                .Select(l => l.ToLead()).ToList(), cancellationToken);

    /// <summary>After retries ran out: the lead keeps its last score with confidence halved, and says why.</summary>
    public Task MarkFailedAsync(Guid tenantId, Guid leadId, string error, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope =>
        {
            await scope.Connection.ExecuteAsync(scope.Command(FailSql, new { Id = leadId, Error = error.Length > 500 ? error[..500] : error }));
            await scope.Connection.ExecuteAsync(scope.Command(ActivitySql, new
            {
                Id = Guid.CreateVersion7(), TenantId = tenantId, LeadId = leadId, Kind = "scoring_failed",
                Data = new JsonObject { ["error"] = error }.ToJsonString(), Now = timeProvider.GetUtcNow(),
            }));
            return true;
        }, cancellationToken);

    private static async Task PersistAsync(DbTransactionScope scope, Guid tenantId, Guid leadId, ApiScore score, DateTimeOffset now)
    {
        var factors = JsonSerializer.Serialize(score.Factors, StreamFlowJson.Options);
        await scope.Connection.ExecuteAsync(scope.Command(PersistSql, new
        {
            Id = leadId, Score = JsonSerializer.Serialize(score, StreamFlowJson.Options), score.Value, score.Tier, Now = now,
        }));
        await scope.Connection.ExecuteAsync(scope.Command(HistorySql, new
        {
            Id = Guid.CreateVersion7(), TenantId = tenantId, LeadId = leadId, score.Value, score.Tier, score.Probability, score.Confidence,
            Factors = factors, score.Model, Now = now,
        }));
        await scope.Connection.ExecuteAsync(scope.Command(ActivitySql, new
        {
            Id = Guid.CreateVersion7(), TenantId = tenantId, LeadId = leadId, Kind = "scored",
            Data = new JsonObject { ["value"] = score.Value, ["tier"] = score.Tier, ["model"] = score.Model }.ToJsonString(), Now = now,
        }));
    }
}
