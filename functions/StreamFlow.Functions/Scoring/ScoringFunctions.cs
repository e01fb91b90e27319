using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Scoring;
using StreamFlow.Core.Scoring.ColdStart;
using StreamFlow.Core.Scoring.Governance;
using StreamFlow.Core.Tenancy;
using StreamFlow.Functions.Durable;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Scoring;

namespace StreamFlow.Functions.Scoring;

public sealed record ModelStatus(
    string Status,
    int? Version,
    DateTimeOffset? TrainedAt,
    int? Samples,
    ModelMetrics? Metrics,
    System.Text.Json.JsonElement? Report,
    ModelTrainingRun? LastTraining);

public sealed record ModelMetrics(double Auc, double? HotPrecision, double? HotShare);

/// <summary>Model training, scoring settings and the sweep that makes sure no lead stays unscored.</summary>
public sealed class ScoringFunctions(
    ModelRegistry models,
    ModelTrainingService training,
    LeadScoringService scoring,
    TenantService tenants,
    ScoringSettingsService settings,
    ModelGovernanceService governance,
    IndustryPoolBuilder industryPools,
    RequestBody body,
    FunctionCatalog catalog,
    ILogger<ScoringFunctions> logger)
{
    [Function("TrainScoringModel")]
    [ClientAccess(Permission.ScoringManage)]
    [ApiOperation("Trains the business's conversion model from its leads with outcomes (at least 200, 50 of each; 100 and 25 when its industry has a pool). Durable; poll statusUrl.",
        Tag = "Scoring", Response = typeof(OperationAccepted), SuccessStatus = 202)]
    public async Task<IResult> Train(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/scoring/model/train")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var runId = await training.StartAsync(request.Client().TenantId, cancellationToken);
        return OperationUrls.Accepted(request, runId.ToString(), $"{catalog.RoutePrefix}/v1/scoring/model/trainings/{runId}");
    }

    [Function("GetScoringModel")]
    [ClientAccess(Permission.LeadsRead)]
    [ApiOperation("The serving model: status, version, when trained, samples, validation AUC and feature importance, and the last training run.",
        Tag = "Scoring", Response = typeof(ModelStatus))]
    public async Task<IResult> Model(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/scoring/model")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Client();
        var serving = await models.ServingRunAsync(caller.TenantId, cancellationToken);
        var latest = await models.LatestRunAsync(caller.TenantId, cancellationToken);
        var model = serving is null
            ? new ModelStatus(latest?.Status == "training" ? "training" : "none", null, null, null, null, null, latest)
            : new ModelStatus("serving", serving.Version, serving.TrainedAt, serving.Samples,
                new ModelMetrics(serving.Auc ?? 0, Number(serving.Report, "hotPrecision"), Number(serving.Report, "hotShare")), serving.Report, latest);
        return ApiResults.Json(model);
    }

    [Function("GetModelGovernance")]
    [ClientAccess(Permission.LeadsRead)]
    [ApiOperation("Model governance: the serving model's card, live AUC and calibration on leads scored since promotion, drift of the "
        + "leads' source, state and postal area since training (population stability), the hot tier's rate and conversion per group of "
        + "fairnessBy (source, state, postalArea) with disparity ratios, and whether retraining is advised.",
        Tag = "Scoring", Response = typeof(ModelGovernance), Query = ["fairnessBy"], Problems = [400])]
    public async Task<IResult> Governance(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/scoring/model/governance")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var fairnessBy = request.Query["fairnessBy"].ToString() is { Length: > 0 } list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList()
            : ["source"];
        if (fairnessBy.FirstOrDefault(name => !ModelGovernanceService.Attributes.Contains(name)) is { } unknown)
        {
            return ApiResults.Problem(Problem.Validation("fairnessBy", $"'{unknown}' is not one of {string.Join(", ", ModelGovernanceService.Attributes)}."), request.HttpContext);
        }

        return ApiResults.Json(await governance.EvaluateAsync(request.Client().TenantId, fairnessBy, cancellationToken));
    }

    [Function("GetModelTraining")]
    [ClientAccess(Permission.LeadsRead)]
    [ApiOperation("One training run: training, serving (promoted), rejected (validated worse), failed or not_enough_data, with the reason.",
        Tag = "Scoring", Response = typeof(ModelTrainingRun), Problems = [404])]
    public async Task<IResult> TrainingRun(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/scoring/model/trainings/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var run = await models.RunAsync(request.Client().TenantId, id, cancellationToken);
        return run is null ? ApiResults.Problem(Problem.NotFound("The training run"), request.HttpContext) : ApiResults.Json(run);
    }

    [Function("GetScoringSettings")]
    [ClientAccess(Permission.LeadsRead)]
    [ApiOperation("The scoring rules in force (the industry default until changed), tier thresholds, AI switch and routing territories.",
        Tag = "Scoring", Response = typeof(ScoringSettingsView))]
    public async Task<IResult> Settings(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/scoring/settings")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await settings.GetAsync(request.Client().TenantId, cancellationToken));

    [Function("UpdateScoringSettings")]
    [ClientAccess(Permission.ScoringManage)]
    [ApiOperation("Changes the scoring rules (validated; resetRules: true returns to the industry default), tier thresholds, AI switch or routing territories. New scores use them.",
        Tag = "Scoring", RequestBody = typeof(ScoringSettingsUpdate), Response = typeof(ScoringSettingsView), Problems = [403])]
    public async Task<IResult> UpdateSettings(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/scoring/settings")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Client();
        var update = await body.ReadJsonAsync<ScoringSettingsUpdate>(request, cancellationToken);
        return update.Succeeded
            ? ApiResults.From(await settings.UpdateAsync(caller.TenantId, update.Value, caller.Actor, RequestOrigins.Of(request), cancellationToken), view => ApiResults.Json(view), request)
            : ApiResults.Problem(update.Problem, request.HttpContext);
    }

    [Function("ScorePendingLeads")]
    public async Task SweepPending([TimerTrigger("%ScoringSweepSchedule%")] TimerInfo timer, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        foreach (var tenant in await tenants.ActiveAsync(cancellationToken))
        {
            foreach (var lead in await scoring.PendingAsync(tenant.Id, TimeSpan.FromSeconds(30), 500, cancellationToken))
            {
                await LeadScoringScheduler.ScheduleAsync(durable, tenant.Id, lead, logger, cancellationToken);
            }
        }
    }

    [Function("RetrainScoringModels")]
    public async Task Retrain([TimerTrigger("%ModelRetrainingSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var active = await tenants.ActiveAsync(cancellationToken);
        foreach (var pool in await industryPools.RebuildAsync([.. active.Select(t => new PoolMember(t.Id, t.Industry))], cancellationToken))
        {
            logger.LogInformation("Industry pool {Industry}: {Businesses} businesses, {Decided} outcomes, leave-one-business-out AUC {Auc}, kept {Kept}",
                pool.Industry, pool.Businesses, pool.Decided, pool.ValidationAuc, pool.Kept);
        }

        foreach (var tenant in active)
        {
            if (await training.HasNewOutcomesAsync(tenant.Id, cancellationToken))
            {
                await training.StartAsync(tenant.Id, cancellationToken);
            }
        }
    }

    private static double? Number(System.Text.Json.JsonElement? report, string name) =>
        report is { } element && element.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.Number ? value.GetDouble() : null;

}

/// <summary>The one-line trigger shims over the scoring classes in StreamFlow.Orchestrations.</summary>
public sealed class ScoringTriggers(
    ScoreLeadsActivity scoreLeads,
    AssessLeadWithAiActivity assessWithAi,
    MarkLeadScoringFailedActivity markFailed,
    TrainConversionModelActivity train)
{
    [Function(TaskNames.LeadScoring)]
    public static Task<ScoreLeadsResult?> LeadScoring([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new LeadScoringOrchestrator().RunAsync(context, context.GetInput<LeadScoringInput>()!);

    [Function(TaskNames.ModelTraining)]
    public static Task<ModelTrainingResult> ModelTraining([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new ModelTrainingOrchestrator().RunAsync(context, context.GetInput<ModelTrainingInput>()!);

    [Function(TaskNames.ScoreLeads)]
    public Task<ScoreLeadsResult> ScoreLeads([ActivityTrigger] ScoreLeadsRequest input) =>
        scoreLeads.RunAsync(new FunctionActivityContext(TaskNames.ScoreLeads), input);

    [Function(TaskNames.AssessLeadWithAi)]
    public Task<LeadAiSignal?> AssessLeadWithAi([ActivityTrigger] LeadScoringInput input) =>
        assessWithAi.RunAsync(new FunctionActivityContext(TaskNames.AssessLeadWithAi), input);

    [Function(TaskNames.MarkLeadScoringFailed)]
    public Task<bool> MarkLeadScoringFailed([ActivityTrigger] ScoringFailure input) =>
        markFailed.RunAsync(new FunctionActivityContext(TaskNames.MarkLeadScoringFailed), input);

    [Function(TaskNames.TrainConversionModel)]
    public Task<ModelTrainingResult> TrainConversionModel([ActivityTrigger] ModelTrainingInput input) =>
        train.RunAsync(new FunctionActivityContext(TaskNames.TrainConversionModel), input);
}
