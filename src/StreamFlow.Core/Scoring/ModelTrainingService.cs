using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Outbox;
using StreamFlow.Core.Scoring.Model;

namespace StreamFlow.Core.Scoring;

public sealed record TrainingOutcome(string Status, int? Version, string Reason);

/// <summary>
/// Trains a tenant's conversion model from its leads with outcomes (won = converted, lost = not), and promotes it
/// only when it validates at least as well as the model it would replace; the previous model keeps serving otherwise.
/// </summary>
public sealed class ModelTrainingService(
    StreamFlowDatabase database, Privacy.TenantKeyring keyring, ModelRegistry models, ColdStart.IndustryPools pools, ConversionModelTrainer trainer, WorkOutbox outbox, TimeProvider timeProvider)
{
    /// <summary>
    /// Records a training run (its status reads "training" at once) together with its durable run (work outbox), so
    /// the caller answers after the commit and the training starts when the outbox dispatcher picks it up.
    /// </summary>
    public async Task<Guid> StartAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var runId = Guid.CreateVersion7();
        await database.InTenantAsync(tenantId, async scope =>
        {
            await ScoringModelStore.StartRunAsync(scope, runId, tenantId, timeProvider.GetUtcNow());
            await outbox.AddAsync(scope, tenantId, WorkKinds.ModelTraining, runId);
            return true;
        }, cancellationToken);
        return runId;
    }

    public async Task<TrainingOutcome> TrainAsync(Guid tenantId, Guid runId, CancellationToken cancellationToken)
    {
        var keys = await keyring.ForTenantAsync(tenantId, cancellationToken);
        var (leads, pooled) = await database.InTenantAsync(tenantId, async scope =>
        {
            var industry = (await ScoringSettingsStore.LoadContextAsync(scope, tenantId))?.Industry;
            var pool = industry is null ? null : await pools.ForAsync(scope, industry);
            return ((await LeadScoreStore.WithOutcomeAsync(scope)).Select(l => l.ToLead(keys)).ToList(), pool is not null);
        }, cancellationToken);
        var examples = leads.Select(l => new ConversionExample(LeadProfiles.From(l), l.Outcome!.Status == "won")).ToList();
        var version = await models.NextVersionAsync(tenantId, cancellationToken);
        var options = new ConversionTrainingOptions { Version = version.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        // Beside an industry pool a small model is blended in at a small weight (ColdStart.ServingModel), not served alone.
        options = pooled ? options with { MinimumOutcomes = 100, MinimumPerClass = 25 } : options;
        Result<ConversionModel> trained;
        try
        {
            trained = trainer.Train(examples, options, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            var reason = $"Training failed ({exception.GetType().Name}); the previous model keeps serving.";
            await models.FinishWithoutModelAsync(tenantId, runId, "failed", reason, examples.Count, cancellationToken);
            return new TrainingOutcome("failed", null, reason);
        }

        if (!trained.Succeeded)
        {
            await models.FinishWithoutModelAsync(tenantId, runId, "not_enough_data", trained.Problem.Detail, examples.Count, cancellationToken);
            return new TrainingOutcome("not_enough_data", null, trained.Problem.Detail);
        }

        var serving = await models.ServingAsync(tenantId, cancellationToken);
        var decision = ModelPromotion.Decide(trained.Value.Report, serving?.Report);
        await models.SaveAsync(tenantId, runId, version, trained.Value, decision.Promote, decision.Reason, cancellationToken);
        return new TrainingOutcome(decision.Promote ? "serving" : "rejected", version, decision.Reason);
    }

    /// <summary>Whether outcomes arrived since the serving model was trained (the nightly retraining asks this).</summary>
    public async Task<bool> HasNewOutcomesAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var serving = await models.ServingRunAsync(tenantId, cancellationToken);
        var since = serving?.TrainedAt ?? DateTimeOffset.MinValue;
        return await database.InTenantAsync(tenantId,
            scope => LeadScoreStore.AnyOutcomeSinceAsync(scope, since), cancellationToken);
    }
}
