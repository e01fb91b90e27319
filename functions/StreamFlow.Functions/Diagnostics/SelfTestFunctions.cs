using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using StreamFlow.Core.Identity.Systems;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Outbox;
using StreamFlow.Functions.Durable;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Diagnostics;

namespace StreamFlow.Functions.Diagnostics;

public sealed record SelfTestBody(int? PauseSeconds) : IValidatableRequest
{
    public void Validate(ValidationErrors errors)
    {
        if (PauseSeconds is < 0 or > 60)
        {
            errors.Add("pauseSeconds", "must be between 0 and 60.");
        }
    }
}

/// <summary>Developers start the platform self-test orchestration and read its status.</summary>
public sealed class SelfTestFunctions(RequestBody body, PlatformOperations operations, FunctionCatalog catalog)
{
    [Function("StartSelfTest")]
    [DeveloperAccess]
    [ApiOperation("Starts the platform self-test: Blob storage, a durable timer and PostgreSQL, as one orchestration.",
        Tag = "Developer", RequestBody = typeof(SelfTestBody), Response = typeof(OperationAccepted), SuccessStatus = 202)]
    public async Task<IResult> Start(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/dev/self-tests")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var input = await body.ReadJsonAsync<SelfTestBody>(request, cancellationToken);
        if (!input.Succeeded)
        {
            return ApiResults.Problem(input.Problem, request.HttpContext);
        }

        // Committed for the outbox dispatcher to start: the answer does not wait on the durable backend.
        var instanceId = await operations.AddAsync(
            PlatformWorkKinds.SelfTest,
            Guid.NewGuid().ToString("N"),
            new PlatformSelfTestInput(request.Operator().Email, input.Value.PauseSeconds ?? 1),
            cancellationToken);
        return OperationUrls.Accepted(request, instanceId, $"{catalog.RoutePrefix}/v1/dev/self-tests/{instanceId}");
    }

    [Function("GetSelfTest")]
    [DeveloperAccess]
    [ApiOperation("The status of a self-test run, with each probe's outcome once completed.",
        Tag = "Developer", Response = typeof(OperationStatus), Problems = [404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/dev/self-tests/{id}")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var status = await PlatformOperationStatus.ReadAsync(operations, durable, id, [TaskNames.PlatformSelfTest], cancellationToken);
        return status is null
            ? ApiResults.Problem(Problem.NotFound("The self-test"), request.HttpContext)
            : ApiResults.Json(status);
    }
}

/// <summary>The one-line trigger shims over the classes in StreamFlow.Orchestrations.</summary>
public sealed class SelfTestTriggers(ProbeBlobStorageActivity probeBlobStorage, ProbeDatabaseActivity probeDatabase)
{
    [Function(TaskNames.PlatformSelfTest)]
    public static Task<PlatformSelfTestReport> PlatformSelfTest([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new PlatformSelfTestOrchestrator().RunAsync(context, context.GetInput<PlatformSelfTestInput>()!);

    [Function(TaskNames.ProbeBlobStorage)]
    public Task<ProbeResult> ProbeBlobStorage([ActivityTrigger] ProbeRequest input) =>
        probeBlobStorage.RunAsync(new FunctionActivityContext(TaskNames.ProbeBlobStorage), input);

    [Function(TaskNames.ProbeDatabase)]
    public Task<ProbeResult> ProbeDatabase([ActivityTrigger] ProbeRequest input) =>
        probeDatabase.RunAsync(new FunctionActivityContext(TaskNames.ProbeDatabase), input);
}
