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
        var keys = await keyring.ForTenantAsync(tenantId, scope.CancellationToken);
        // The context rides with the read of the leads: one round trip.
        var contextRead = ScoringSettingsStore.LoadContextLaterAsync(scope, tenantId);
        var leads = (await LeadScoreStore.LeadsAsync(scope, leadIds.ToArray())).Select(l => l.ToLead(keys)).ToList();
        var context = await contextRead ?? throw new InvalidOperationException($"Tenant {tenantId} does not exist.");
        var routing = leads.Any(l => l.OwnerUserId is null) ? await router.PrepareAsync(scope, context.Settings.Routing) : null;
        var scored = await ScoreAsync(scope, tenantId, context, leads, routing, aiSignals);
        return (scored.Select(s => new ScoredLead(s.LeadId, s.Score, s.AssignedTo?.UserId)).ToList(), context.Settings.AiEnabled);
    }

    /// <summary>
    /// Scores a lead just inserted in the open transaction, from the row its insert returned (still held back in the
    /// scope when called): that row, the scoring context and the routing candidates come back in one round trip.
    /// </summary>
    internal async Task<(Lead Scored, bool AiEnabled)> ScoreNewInTransactionAsync(DbTransactionScope scope, Guid tenantId, Task<Lead> inserted, bool needsRouting)
    {
        var contextRead = ScoringSettingsStore.LoadContextLaterAsync(scope, tenantId);
        var candidatesRead = needsRouting ? LeadStore.RoutingCandidatesLaterAsync(scope) : null;
        await scope.FlushAsync();
        var lead = await inserted;
        var context = await contextRead ?? throw new InvalidOperationException($"Tenant {tenantId} does not exist.");
        var routing = candidatesRead is null || lead.OwnerUserId is not null ? null : LeadRouter.Prepare(context.Settings.Routing, await candidatesRead);
        var (_, score, assigned) = (await ScoreAsync(scope, tenantId, context, [lead], routing, null))[0];
        var scored = lead with { Score = score, ScoreStatus = "scored", ScoreError = null };
        return (assigned is null ? scored : scored with { OwnerUserId = assigned.UserId, OwnerName = assigned.Name }, context.Settings.AiEnabled);
    }

    private async Task<List<(Guid LeadId, ApiScore Score, LeadRouter.Candidate? AssignedTo)>> ScoreAsync(
        DbTransactionScope scope, Guid tenantId, ScoringContext context, IReadOnlyList<Lead> leads, LeadRouter.RoutingRound? routing,
        IReadOnlyDictionary<Guid, AiSignal>? aiSignals)
    {
        var settings = context.Settings;
        var model = context.Model is { } serving ? await models.LoadAsync(tenantId, serving, scope.CancellationToken) : null;
        var pool = await pools.ForAsync(scope, context.Industry);
        var ruleSet = settings.RuleSet ?? DefaultRuleSets.For(context.Industry);
        var thresholds = settings.Thresholds ?? ColdStart.ServingModel.Thresholds(model, pool) ?? TierThresholds.Default;
        var now = timeProvider.GetUtcNow();
        var scored = new List<(Guid LeadId, ApiScore Score, LeadRouter.Candidate? AssignedTo)>(leads.Count);
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
            scored.Add((lead.Id, score, lead.OwnerUserId is null ? routing?.Assign(lead) : null));
        }

        // Written set-based, a statement per table for the whole batch (an import scores thousands), in the order one
        // lead's scoring writes them: score and history, the "scored" activity, the assignment, then the events.
        await PersistManyAsync(scope, tenantId, scored.Select(s => (s.LeadId, s.Score)).ToList(), now);
        var events = new List<(string EventType, object Data)>(scored.Count);
        foreach (var (leadId, score, assigned) in scored)
        {
            events.Add(("lead.scored", new { leadId, score }));
            if (assigned is not null)
            {
                await LeadRouter.AssignAsync(scope, tenantId, leadId, assigned.UserId, now);
                events.Add(("lead.assigned", new LeadAssignedData(leadId, assigned.UserId, new LeadAssignee(assigned.UserId, assigned.Name), now)));
            }
        }

        await outbox.AddManyAsync(scope, tenantId, events, scope.CancellationToken);
        return scored;
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

    private static async Task PersistManyAsync(DbTransactionScope scope, Guid tenantId, IReadOnlyList<(Guid LeadId, ApiScore Score)> scores, DateTimeOffset now)
    {
        if (scores.Count == 0)
        {
            return;
        }

        await LeadScoreStore.PersistManyAsync(scope, tenantId, scores.Select(s =>
            (s.LeadId, s.Score, JsonSerializer.Serialize(s.Score, StreamFlowJson.Options), JsonSerializer.Serialize(s.Score.Factors, StreamFlowJson.Options))).ToList(), now);
        await LeadStore.RecordActivitiesAsync(scope, tenantId, scores.Select(s => (s.LeadId, "scored", (string?)null,
            new JsonObject { ["value"] = s.Score.Value, ["tier"] = s.Score.Tier, ["model"] = s.Score.Model }.ToJsonString())).ToList(), "streamflow", now);
    }
}
