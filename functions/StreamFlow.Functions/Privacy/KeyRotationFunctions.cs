using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Privacy.Rotation;
using StreamFlow.Functions.Durable;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Privacy;

namespace StreamFlow.Functions.Privacy;

/// <summary>Developers rotate a business's data key or the key-encryption key, and follow the rotation.</summary>
public sealed class KeyRotationFunctions(KeyRotationService rotations, FunctionCatalog catalog)
{
    [Function("StartDataKeyRotation")]
    [DeveloperAccess]
    [ApiOperation("Rotates a business's data key: adds the next version and re-seals every sealed field in batches, durably and resumably; "
        + "the API keeps serving (both versions open during the rotation). 404 for an unknown business, 409 while another rotation of it runs.",
        Tag = "Developer", Response = typeof(OperationAccepted), SuccessStatus = 202, Problems = [404, 409])]
    public async Task<IResult> RotateDataKey(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/dev/privacy/tenants/{tenantId:guid}/data-key/rotations")] HttpRequest request,
        Guid tenantId,
        CancellationToken cancellationToken) =>
        Accepted(request, await rotations.StartDataKeyRotationAsync(tenantId, Actor(request), cancellationToken));

    [Function("StartKekRotation")]
    [DeveloperAccess]
    [ApiOperation("Re-wraps every business's data and index keys under the current key-encryption key (after a new KEK version was added to "
        + "the key ring or Key Vault); sealed fields are not touched.", Tag = "Developer", Response = typeof(OperationAccepted), SuccessStatus = 202)]
    public async Task<IResult> RotateKek(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/dev/privacy/kek/rotations")] HttpRequest request,
        CancellationToken cancellationToken) =>
        Accepted(request, await rotations.StartKekRotationAsync(Actor(request), cancellationToken));

    [Function("GetKeyRotation")]
    [DeveloperAccess]
    [ApiOperation("A key rotation's status (pending, running, completed, failed) and progress: rowsTotal, rowsDone, keysRewrapped, versions.",
        Tag = "Developer", Response = typeof(KeyRotation), Problems = [404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/dev/privacy/key-rotations/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        await rotations.FindAsync(id, cancellationToken) is { } rotation
            ? ApiResults.Json(rotation)
            : ApiResults.Problem(Problem.NotFound("The key rotation"), request.HttpContext);

    // The rotation and its platform operation are committed; the outbox dispatcher starts the orchestration (issue #19).
    private IResult Accepted(HttpRequest request, Result<Guid> requested) =>
        requested.Succeeded
            ? OperationUrls.Accepted(request, requested.Value.ToString(), $"{catalog.RoutePrefix}/v1/dev/privacy/key-rotations/{requested.Value}")
            : ApiResults.Problem(requested.Problem, request.HttpContext);

    private static string Actor(HttpRequest request) => $"developer:{request.Operator().Email}";
}

/// <summary>Starts a KeyRotation for each business whose policy (dataKeyRotationDays) makes its data key due; firing twice starts one.</summary>
public sealed class DataKeyRotationTimer(KeyRotationService rotations, ILogger<DataKeyRotationTimer> logger)
{
    [Function("RotateDueDataKeys")]
    public async Task Run(
        [TimerTrigger("%PrivacyKeyRotationSchedule%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var started = await rotations.StartDueDataKeyRotationsAsync(
            (due, token) => durable.ScheduleNewOrchestrationInstanceAsync(TaskNames.KeyRotation, new KeyRotationRun(due.RotationId, KeyRotationService.DataKey, due.TenantId),
                new StartOrchestrationOptions($"key-rotation-{due.RotationId:N}"), token),
            cancellationToken);
        logger.LogInformation("Data-key rotation policy: {Started} rotations started", started.Count);
    }
}

/// <summary>The one-line trigger shims over the key rotation classes in StreamFlow.Orchestrations.</summary>
public sealed class KeyRotationTriggers(
    BeginDataKeyRotationActivity beginDataKey, ResealBatchActivity reseal, BeginKekRotationActivity beginKek, RewrapTenantKeysActivity rewrap, FinishKeyRotationActivity finish)
{
    [Function(TaskNames.KeyRotation)]
    public static Task<string> KeyRotation([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new KeyRotationOrchestrator().RunAsync(context, context.GetInput<KeyRotationRun>()!);

    [Function(TaskNames.BeginDataKeyRotation)]
    public Task<int> BeginDataKeyRotation([ActivityTrigger] KeyRotationRun input) =>
        beginDataKey.RunAsync(new FunctionActivityContext(TaskNames.BeginDataKeyRotation), input);

    [Function(TaskNames.ResealBatch)]
    public Task<int> ResealBatch([ActivityTrigger] ResealBatch input) =>
        reseal.RunAsync(new FunctionActivityContext(TaskNames.ResealBatch), input);

    [Function(TaskNames.BeginKekRotation)]
    public Task<List<Guid>> BeginKekRotation([ActivityTrigger] KeyRotationRun input) =>
        beginKek.RunAsync(new FunctionActivityContext(TaskNames.BeginKekRotation), input);

    [Function(TaskNames.RewrapTenantKeys)]
    public Task<int> RewrapTenantKeys([ActivityTrigger] RewrapTenant input) =>
        rewrap.RunAsync(new FunctionActivityContext(TaskNames.RewrapTenantKeys), input);

    [Function(TaskNames.FinishKeyRotation)]
    public Task<bool> FinishKeyRotation([ActivityTrigger] KeyRotationFinish input) =>
        finish.RunAsync(new FunctionActivityContext(TaskNames.FinishKeyRotation), input);
}
