using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Leads.Import;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Scoring;
using StreamFlow.Core.Tenancy;
using StreamFlow.Functions.Durable;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Leads;
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

/// <summary>CSV imports, model training and the sweep that makes sure no lead stays unscored.</summary>
public sealed class ScoringFunctions(
    ClientAuthenticator clients,
    LeadImportService imports,
    ModelRegistry models,
    ModelTrainingService training,
    LeadScoringService scoring,
    TenantService tenants,
    ScoringSettingsService settings,
    RequestBody body,
    FunctionCatalog catalog,
    ILogger<ScoringFunctions> logger)
{
    private const long MaxCsvBytes = LeadCsvImportOptions.DefaultMaxBytes;

    [Function("ImportLeads")]
    [ApiOperation("Imports leads from a CSV body (text/csv, up to 100,000 rows / 50 MB); query externalIdColumn and outcomeColumn. Runs durably; poll statusUrl.",
        Tag = "Leads", Auth = ApiAuth.Client, RequestBody = typeof(string), RequestContentType = "text/csv", Response = typeof(OperationAccepted), SuccessStatus = 202)]
    public async Task<IResult> Import(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/leads/import")] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var caller = await clients.AuthorizeAsync(request, Permission.LeadsImport, cancellationToken);
        if (!caller.Succeeded)
        {
            return ApiResults.Problem(caller.Problem, request.HttpContext);
        }

        var mediaType = (request.ContentType ?? "").Split(';')[0].Trim();
        if (!mediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase))
        {
            return ApiResults.Problem(new Problem(ProblemKind.UnsupportedMediaType, "Send the file as text/csv."), request.HttpContext);
        }

        if (request.ContentLength > MaxCsvBytes)
        {
            return ApiResults.Problem(new Problem(ProblemKind.PayloadTooLarge, $"A CSV import may be at most {MaxCsvBytes / (1024 * 1024)} MB."), request.HttpContext);
        }

        var started = await imports.StartAsync(caller.Value.TenantId, caller.Value.Actor, request.Body,
            NullIfEmpty(request.Query["externalIdColumn"]), NullIfEmpty(request.Query["outcomeColumn"]), cancellationToken);
        if (!started.Succeeded)
        {
            return ApiResults.Problem(started.Problem, request.HttpContext);
        }

        await durable.ScheduleNewOrchestrationInstanceAsync(TaskNames.LeadImport, new LeadImportInput(caller.Value.TenantId, started.Value),
            new StartOrchestrationOptions($"import-{started.Value:N}"), cancellationToken);
        return OperationUrls.Accepted(request, started.Value.ToString(), $"{catalog.RoutePrefix}/v1/leads/imports/{started.Value}");
    }

    [Function("GetLeadImport")]
    [ApiOperation("Progress of an import: status, total, processed, failed and each bad row with its reason.", Tag = "Leads", Auth = ApiAuth.Client,
        Response = typeof(LeadImportStatus), Problems = [404])]
    public async Task<IResult> ImportStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/leads/imports/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var caller = await clients.AuthorizeAsync(request, Permission.LeadsImport, cancellationToken);
        if (!caller.Succeeded)
        {
            return ApiResults.Problem(caller.Problem, request.HttpContext);
        }

        var status = await imports.StatusAsync(caller.Value.TenantId, id, cancellationToken);
        return status is null ? ApiResults.Problem(Problem.NotFound("The import"), request.HttpContext) : ApiResults.Json(status);
    }

    [Function("TrainScoringModel")]
    [ApiOperation("Trains the business's conversion model from its leads with outcomes (at least 200, 50 of each). Durable; poll statusUrl.",
        Tag = "Scoring", Auth = ApiAuth.Client, Response = typeof(OperationAccepted), SuccessStatus = 202)]
    public async Task<IResult> Train(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/scoring/model/train")] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var caller = await clients.AuthorizeAsync(request, Permission.ScoringManage, cancellationToken);
        if (!caller.Succeeded)
        {
            return ApiResults.Problem(caller.Problem, request.HttpContext);
        }

        var runId = await StartTrainingAsync(durable, caller.Value.TenantId, cancellationToken);
        return OperationUrls.Accepted(request, runId.ToString(), $"{catalog.RoutePrefix}/v1/scoring/model/trainings/{runId}");
    }

    [Function("GetScoringModel")]
    [ApiOperation("The serving model: status, version, when trained, samples, validation AUC and feature importance, and the last training run.",
        Tag = "Scoring", Auth = ApiAuth.Client, Response = typeof(ModelStatus))]
    public async Task<IResult> Model(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/scoring/model")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = await clients.AuthorizeAsync(request, Permission.LeadsRead, cancellationToken);
        if (!caller.Succeeded)
        {
            return ApiResults.Problem(caller.Problem, request.HttpContext);
        }

        var serving = await models.ServingRunAsync(caller.Value.TenantId, cancellationToken);
        var latest = await models.LatestRunAsync(caller.Value.TenantId, cancellationToken);
        var model = serving is null
            ? new ModelStatus(latest?.Status == "training" ? "training" : "none", null, null, null, null, null, latest)
            : new ModelStatus("serving", serving.Version, serving.TrainedAt, serving.Samples,
                new ModelMetrics(serving.Auc ?? 0, Number(serving.Report, "hotPrecision"), Number(serving.Report, "hotShare")), serving.Report, latest);
        return ApiResults.Json(model);
    }

    [Function("GetModelTraining")]
    [ApiOperation("One training run: training, serving (promoted), rejected (validated worse), failed or not_enough_data, with the reason.",
        Tag = "Scoring", Auth = ApiAuth.Client, Response = typeof(ModelTrainingRun), Problems = [404])]
    public async Task<IResult> TrainingRun(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/scoring/model/trainings/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var caller = await clients.AuthorizeAsync(request, Permission.LeadsRead, cancellationToken);
        if (!caller.Succeeded)
        {
            return ApiResults.Problem(caller.Problem, request.HttpContext);
        }

        var run = await models.RunAsync(caller.Value.TenantId, id, cancellationToken);
        return run is null ? ApiResults.Problem(Problem.NotFound("The training run"), request.HttpContext) : ApiResults.Json(run);
    }

    [Function("GetScoringSettings")]
    [ApiOperation("The scoring rules in force (the industry default until changed), tier thresholds, AI switch and routing territories.",
        Tag = "Scoring", Auth = ApiAuth.Client, Response = typeof(ScoringSettingsView))]
    public async Task<IResult> Settings(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/scoring/settings")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = await clients.AuthorizeAsync(request, Permission.LeadsRead, cancellationToken);
        return caller.Succeeded
            ? ApiResults.Json(await settings.GetAsync(caller.Value.TenantId, cancellationToken))
            : ApiResults.Problem(caller.Problem, request.HttpContext);
    }

    [Function("UpdateScoringSettings")]
    [ApiOperation("Changes the scoring rules (validated; resetRules: true returns to the industry default), tier thresholds, AI switch or routing territories. New scores use them.",
        Tag = "Scoring", Auth = ApiAuth.Client, RequestBody = typeof(ScoringSettingsUpdate), Response = typeof(ScoringSettingsView), Problems = [403])]
    public async Task<IResult> UpdateSettings(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/scoring/settings")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = await clients.AuthorizeAsync(request, Permission.ScoringManage, cancellationToken);
        if (!caller.Succeeded)
        {
            return ApiResults.Problem(caller.Problem, request.HttpContext);
        }

        var update = await body.ReadJsonAsync<ScoringSettingsUpdate>(request, cancellationToken);
        return update.Succeeded
            ? ApiResults.From(await settings.UpdateAsync(caller.Value.TenantId, update.Value, caller.Value.Actor, RequestOrigins.Of(request), cancellationToken), view => ApiResults.Json(view), request)
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
    public async Task Retrain([TimerTrigger("%ModelRetrainingSchedule%")] TimerInfo timer, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        foreach (var tenant in await tenants.ActiveAsync(cancellationToken))
        {
            if (await training.HasNewOutcomesAsync(tenant.Id, cancellationToken))
            {
                await StartTrainingAsync(durable, tenant.Id, cancellationToken);
            }
        }
    }

    /// <summary>Records the training run (so its status reads "training" at once) and starts its orchestration.</summary>
    private async Task<Guid> StartTrainingAsync(DurableTaskClient durable, Guid tenantId, CancellationToken cancellationToken)
    {
        var runId = Guid.CreateVersion7();
        await training.StartAsync(tenantId, runId, cancellationToken);
        await durable.ScheduleNewOrchestrationInstanceAsync(TaskNames.ModelTraining, new ModelTrainingInput(tenantId, runId),
            new StartOrchestrationOptions($"train-{runId:N}"), cancellationToken);
        return runId;
    }

    private static double? Number(System.Text.Json.JsonElement? report, string name) =>
        report is { } element && element.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.Number ? value.GetDouble() : null;

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues value) => value.ToString() is { Length: > 0 } text ? text : null;
}

/// <summary>The one-line trigger shims over the scoring and import classes in StreamFlow.Orchestrations.</summary>
public sealed class ScoringTriggers(
    ScoreLeadsActivity scoreLeads,
    AssessLeadWithAiActivity assessWithAi,
    MarkLeadScoringFailedActivity markFailed,
    ParseLeadImportActivity parseImport,
    ImportLeadChunkActivity importChunk,
    FinishLeadImportActivity finishImport,
    TrainConversionModelActivity train)
{
    [Function(TaskNames.LeadScoring)]
    public static Task<ScoreLeadsResult?> LeadScoring([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new LeadScoringOrchestrator().RunAsync(context, context.GetInput<LeadScoringInput>()!);

    [Function(TaskNames.LeadImport)]
    public static Task<string> LeadImport([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new LeadImportOrchestrator().RunAsync(context, context.GetInput<LeadImportInput>()!);

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

    [Function(TaskNames.ParseLeadImport)]
    public Task<int> ParseLeadImport([ActivityTrigger] LeadImportInput input) =>
        parseImport.RunAsync(new FunctionActivityContext(TaskNames.ParseLeadImport), input);

    [Function(TaskNames.ImportLeadChunk)]
    public Task<ImportChunkOutcome> ImportLeadChunk([ActivityTrigger] ImportChunkRequest input) =>
        importChunk.RunAsync(new FunctionActivityContext(TaskNames.ImportLeadChunk), input);

    [Function(TaskNames.FinishLeadImport)]
    public Task<bool> FinishLeadImport([ActivityTrigger] LeadImportFinish input) =>
        finishImport.RunAsync(new FunctionActivityContext(TaskNames.FinishLeadImport), input);

    [Function(TaskNames.TrainConversionModel)]
    public Task<ModelTrainingResult> TrainConversionModel([ActivityTrigger] ModelTrainingInput input) =>
        train.RunAsync(new FunctionActivityContext(TaskNames.TrainConversionModel), input);
}
