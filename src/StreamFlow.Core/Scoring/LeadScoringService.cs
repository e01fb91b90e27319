using System.Text.Json;
using System.Text.Json.Nodes;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Scoring.Rules;
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
    Privacy.TenantKeyring keyring,
    ModelRegistry models,
    ColdStart.IndustryPools pools,
    LeadRouter router,
    WebhookOutbox outbox,
    TimeProvider timeProvider)
{
    /// <summary>Scores the given leads of one tenant (deleted or missing ids are skipped) and routes the unassigned ones.</summary>
    public Task<IReadOnlyList<ScoredLead>> ScoreAsync(Guid tenantId, IReadOnlyList<Guid> leadIds, IReadOnlyDictionary<Guid, AiSignal>? aiSignals, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope => (await ScoreInTransactionAsync(scope, tenantId, leadIds, aiSignals)).Scored, cancellationToken);

    /// <summary>
    /// Scores inside a transaction of the tenant's that is already open (the one that created or changed the leads), so
    /// that the change commits scored or not at all. Tells whether the tenant has AI on, for the AI re-score to follow.
    /// </summary>
    internal async Task<(IReadOnlyList<ScoredLead> Scored, bool AiEnabled)> ScoreInTransactionAsync(
        DbTransactionScope scope, Guid tenantId, IReadOnlyList<Guid> leadIds, IReadOnlyDictionary<Guid, AiSignal>? aiSignals)
    {
        var context = await ScoringSettingsStore.LoadContextAsync(scope, tenantId) ?? throw new InvalidOperationException($"Tenant {tenantId} does not exist.");
        var settings = context.Settings;
        var model = context.Model is { } serving ? await models.LoadAsync(tenantId, serving, scope.CancellationToken) : null;
        var pool = await pools.ForAsync(scope, context.Industry);
        var ruleSet = settings.RuleSet ?? DefaultRuleSets.For(context.Industry);
        var thresholds = settings.Thresholds ?? ColdStart.ServingModel.Thresholds(model, pool) ?? TierThresholds.Default;
        var keys = await keyring.ForTenantAsync(tenantId, scope.CancellationToken);
        var leads = (await LeadScoreStore.LeadsAsync(scope, leadIds.ToArray())).Select(l => l.ToLead(keys)).ToList();
        var now = timeProvider.GetUtcNow();
        var routing = leads.Any(l => l.OwnerUserId is null) ? await router.PrepareAsync(scope, settings.Routing) : null;
        var scored = new List<ScoredLead>(leads.Count);
        foreach (var lead in leads)
        {
            var profile = LeadProfiles.From(lead);
            var inputs = new ScoreInputs(
                RulesScorer.Score(ruleSet, profile), ruleSet.BaseScore,
                ColdStart.ServingModel.Signal(model, pool, profile),
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
            var assigned = lead.OwnerUserId is null ? routing!.Assign(lead) : null;
            if (assigned is { } owner)
            {
                await LeadRouter.AssignAsync(scope, tenantId, lead.Id, owner, now);
                await outbox.AddAsync(scope, tenantId, "lead.assigned", await LeadAssignedData.ForAsync(scope, lead.Id, owner, now), scope.CancellationToken);
            }

            scored.Add(new ScoredLead(lead.Id, score, assigned));
        }

        return (scored, settings.AiEnabled);
    }

    /// <summary>Leads still waiting for a score after <paramref name="olderThan"/>: the sweep schedules them again.</summary>
    public async Task<IReadOnlyList<Lead>> PendingAsync(Guid tenantId, TimeSpan olderThan, int limit, CancellationToken cancellationToken)
    {
        var keys = await keyring.ForTenantAsync(tenantId, cancellationToken);
        return await database.InTenantAsync<IReadOnlyList<Lead>>(tenantId, async scope =>
            (await LeadScoreStore.PendingAsync(scope, timeProvider.GetUtcNow() - olderThan, limit)).Select(l => l.ToLead(keys)).ToList(), cancellationToken);
    }

    /// <summary>After retries ran out: the lead keeps its last score with confidence halved, and says why.</summary>
    public Task MarkFailedAsync(Guid tenantId, Guid leadId, string error, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, async scope =>
        {
            await LeadScoreStore.MarkFailedAsync(scope, leadId, error.Length > 500 ? error[..500] : error);
            await LeadStore.RecordActivityAsync(
                scope, tenantId, leadId, "scoring_failed", null, "streamflow", new JsonObject { ["error"] = error }.ToJsonString(), timeProvider.GetUtcNow());
            return true;
        }, cancellationToken);

    private static async Task PersistAsync(DbTransactionScope scope, Guid tenantId, Guid leadId, ApiScore score, DateTimeOffset now)
    {
        await LeadScoreStore.PersistAsync(
            scope, tenantId, leadId, score, JsonSerializer.Serialize(score, StreamFlowJson.Options), JsonSerializer.Serialize(score.Factors, StreamFlowJson.Options), now);
        await LeadStore.RecordActivityAsync(
            scope, tenantId, leadId, "scored", null, "streamflow",
            new JsonObject { ["value"] = score.Value, ["tier"] = score.Tier, ["model"] = score.Model }.ToJsonString(), now);
    }
}
