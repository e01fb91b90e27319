using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Privacy.SubjectRequests;
using StreamFlow.Functions.Durable;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Privacy;

namespace StreamFlow.Functions.Privacy;

/// <summary>Data-subject requests (GDPR articles 15-17, CCPA): start an export or an erasure of a person, follow it, download the export.</summary>
public sealed class SubjectRequestFunctions(RequestBody body, SubjectRequestService requests, FunctionCatalog catalog)
{
    [Function("StartPersonalDataRequest")]
    [ClientAccess(Permission.PersonalDataRequests)]
    [ApiOperation("Starts a data-subject request for the person with this email or phone (exactly one; found through the blind index): kind=export "
        + "gathers everything held about them as JSON and CSV, kind=erasure removes or pseudonymises their personal fields everywhere (customer invoices "
        + "are kept, pseudonymised) and suppresses them in restored backups. Runs durably; poll statusUrl. A person with no records completes with nothingFound.",
        Tag = "Privacy", RequestBody = typeof(SubjectRequestInput), Response = typeof(OperationAccepted), SuccessStatus = 202, Problems = [400, 403])]
    public async Task<IResult> Start(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/privacy/requests")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Client();
        var input = await body.ReadJsonAsync<SubjectRequestInput>(request, cancellationToken);
        var started = input.Succeeded
            ? await requests.StartAsync(caller.TenantId, caller.Actor, RequestOrigins.Of(request), input.Value, cancellationToken)
            : input.Problem;
        return started.Succeeded
            ? OperationUrls.Accepted(request, started.Value.ToString(), $"{catalog.RoutePrefix}/v1/privacy/requests/{started.Value}")
            : ApiResults.Problem(started.Problem, request.HttpContext);
    }

    [Function("GetPersonalDataRequest")]
    [ClientAccess(Permission.PersonalDataRequests)]
    [ApiOperation("A data-subject request's status (pending, running, completed, failed), what was found or changed by kind, nothingFound, "
        + "and for a completed export the download links until they expire.", Tag = "Privacy", Response = typeof(SubjectRequestStatus), Problems = [403, 404])]
    public async Task<IResult> Status(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/privacy/requests/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        await requests.StatusAsync(request.Client().TenantId, id, catalog.RoutePrefix, cancellationToken) is { } status
            ? ApiResults.Json(status)
            : ApiResults.Problem(Problem.NotFound("The request"), request.HttpContext);

    [Function("DownloadPersonalDataExport")]
    [ClientAccess(Permission.PersonalDataRequests)]
    [ApiOperation("Downloads a completed export (format=json or csv), for the user or key that requested it only (another caller gets 404); "
        + "410 once it has expired (Privacy:SubjectExportLifetime, 7 days). Every download is audited.",
        Tag = "Privacy", Query = ["format"], Problems = [400, 403, 404, 409, 410])]
    public async Task<IResult> Download(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/privacy/requests/{id:guid}/export")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var caller = request.Client();
        return ApiResults.From(
            await requests.DownloadAsync(caller.TenantId, caller.Actor, RequestOrigins.Of(request), id, request.Query["format"].ToString(), cancellationToken),
            file => TypedResults.File(file.Content, file.ContentType, file.FileName), request);
    }
}

/// <summary>The one-line trigger shims over the data-subject request classes in StreamFlow.Orchestrations.</summary>
public sealed class SubjectRequestTriggers(BeginSubjectRequestActivity begin, RunSubjectRequestActivity run, FailSubjectRequestActivity fail)
{
    [Function(TaskNames.SubjectRequest)]
    public static Task<string> SubjectRequest([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new SubjectRequestOrchestrator().RunAsync(context, context.GetInput<SubjectRequestRun>()!);

    [Function(TaskNames.BeginSubjectRequest)]
    public Task<bool> BeginSubjectRequest([ActivityTrigger] SubjectRequestRun input) =>
        begin.RunAsync(new FunctionActivityContext(TaskNames.BeginSubjectRequest), input);

    [Function(TaskNames.RunSubjectRequest)]
    public Task<Dictionary<string, int>> RunSubjectRequest([ActivityTrigger] SubjectRequestRun input) =>
        run.RunAsync(new FunctionActivityContext(TaskNames.RunSubjectRequest), input);

    [Function(TaskNames.FailSubjectRequest)]
    public Task<bool> FailSubjectRequest([ActivityTrigger] SubjectRequestFailure input) =>
        fail.RunAsync(new FunctionActivityContext(TaskNames.FailSubjectRequest), input);
}
