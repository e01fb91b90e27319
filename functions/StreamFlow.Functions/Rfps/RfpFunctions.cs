using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Rfps;
using StreamFlow.Functions.Durable;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Rfps;

namespace StreamFlow.Functions.Rfps;

/// <summary>RFP uploads and their analyses.</summary>
public sealed class RfpFunctions(ClientAuthenticator clients, RfpService rfps, FunctionCatalog catalog)
{
    // Room for the multipart envelope around a document of the maximum size.
    private const long MultipartOverheadBytes = 64 * 1024;

    [Function("UploadRfp")]
    [ApiOperation("Uploads a solicitation (PDF, DOCX or UTF-8 text, at most 25 MB) as the raw body with its Content-Type, or as multipart/form-data with one file part; query fileName names a raw upload. Starts a durable analysis: poll statusUrl.",
        Tag = "RFPs", Auth = ApiAuth.Client, RequestBody = typeof(string), RequestContentType = "application/pdf", Response = typeof(OperationAccepted), SuccessStatus = 202,
        Problems = [403, 413, 415])]
    public async Task<IResult> Upload(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/rfps")] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var caller = await clients.AuthorizeAsync(request, Permission.RfpsWrite, cancellationToken);
        if (!caller.Succeeded)
        {
            return ApiResults.Problem(caller.Problem, request.HttpContext);
        }

        if (request.ContentLength > RfpService.MaxDocumentBytes + MultipartOverheadBytes)
        {
            return ApiResults.Problem(new Problem(ProblemKind.PayloadTooLarge, $"An RFP document may be at most {RfpService.MaxDocumentBytes / (1024 * 1024)} MB."), request.HttpContext);
        }

        var upload = await ReadUploadAsync(request, cancellationToken);
        if (!upload.Succeeded)
        {
            return ApiResults.Problem(upload.Problem, request.HttpContext);
        }

        var started = await rfps.StartAsync(caller.Value.TenantId, caller.Value.Actor, upload.Value, cancellationToken);
        if (!started.Succeeded)
        {
            return ApiResults.Problem(started.Problem, request.HttpContext);
        }

        await durable.ScheduleNewOrchestrationInstanceAsync(TaskNames.RfpAnalysis, new RfpAnalysisInput(caller.Value.TenantId, started.Value),
            new StartOrchestrationOptions($"rfp-{started.Value:N}"), cancellationToken);
        return OperationUrls.Accepted(request, started.Value.ToString(), $"{catalog.RoutePrefix}/v1/rfps/{started.Value}");
    }

    [Function("GetRfp")]
    [ApiOperation("An RFP and its analysis: status (pending, running, completed, failed) and progress, the extracted facts each with its source (page or paragraph, character offsets, snippet), and the assessment (summary, bid/no-bid with reasons, pricing from your won and lost history) with the method that wrote it (ai or local, and why local).",
        Tag = "RFPs", Auth = ApiAuth.Client, Response = typeof(RfpView), Problems = [403, 404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/rfps/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var caller = await clients.AuthorizeAsync(request, Permission.RfpsRead, cancellationToken);
        return caller.Succeeded
            ? ApiResults.From(await rfps.GetAsync(caller.Value.TenantId, id, cancellationToken), rfp => ApiResults.Json(rfp), request)
            : ApiResults.Problem(caller.Problem, request.HttpContext);
    }

    [Function("ListRfps")]
    [ApiOperation("The business's RFPs, newest first, with their headline facts and recommendation (limit, cursor).",
        Tag = "RFPs", Auth = ApiAuth.Client, Response = typeof(RfpPage), Problems = [403])]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/rfps")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = await clients.AuthorizeAsync(request, Permission.RfpsRead, cancellationToken);
        if (!caller.Succeeded)
        {
            return ApiResults.Problem(caller.Problem, request.HttpContext);
        }

        var page = Paging.Read(request);
        return page.Succeeded
            ? ApiResults.From(await rfps.ListAsync(caller.Value.TenantId, page.Value.Limit, page.Value.Cursor, cancellationToken), result => ApiResults.Json(result), request)
            : ApiResults.Problem(page.Problem, request.HttpContext);
    }

    /// <summary>The document from a multipart form (the "file" part, else the first) or from the raw body.</summary>
    private static async Task<Result<RfpUpload>> ReadUploadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            var fileName = request.Query["fileName"].ToString();
            return new RfpUpload(request.Body, request.ContentType, fileName.Length > 0 ? fileName : null, request.ContentLength);
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException)
        {
            return Problem.Validation("file", "The multipart body could not be read.");
        }

        var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
        return file is null
            ? Problem.Validation("file", "is required: send the document as a file part.")
            : new RfpUpload(file.OpenReadStream(), file.ContentType, file.FileName, file.Length);
    }
}

/// <summary>The one-line trigger shims over the RFP analysis classes in StreamFlow.Orchestrations.</summary>
public sealed class RfpTriggers(
    ExtractRfpTextActivity extractText,
    ExtractRfpFactsActivity extractFacts,
    AssessRfpActivity assess,
    FailRfpAnalysisActivity fail)
{
    [Function(TaskNames.RfpAnalysis)]
    public static Task<string> RfpAnalysis([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new RfpAnalysisOrchestrator().RunAsync(context, context.GetInput<RfpAnalysisInput>()!);

    [Function(TaskNames.ExtractRfpText)]
    public Task<int> ExtractRfpText([ActivityTrigger] RfpAnalysisInput input) =>
        extractText.RunAsync(new FunctionActivityContext(TaskNames.ExtractRfpText), input);

    [Function(TaskNames.ExtractRfpFacts)]
    public Task<RfpFactsOutcome> ExtractRfpFacts([ActivityTrigger] RfpAnalysisInput input) =>
        extractFacts.RunAsync(new FunctionActivityContext(TaskNames.ExtractRfpFacts), input);

    [Function(TaskNames.AssessRfp)]
    public Task<RfpAssessmentOutcome> AssessRfp([ActivityTrigger] RfpAnalysisInput input) =>
        assess.RunAsync(new FunctionActivityContext(TaskNames.AssessRfp), input);

    [Function(TaskNames.FailRfpAnalysis)]
    public Task<bool> FailRfpAnalysis([ActivityTrigger] RfpFailure input) =>
        fail.RunAsync(new FunctionActivityContext(TaskNames.FailRfpAnalysis), input);
}
