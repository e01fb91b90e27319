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
public sealed class RfpFunctions(RequestBody body, RfpService rfps, FunctionCatalog catalog)
{
    private static readonly UploadRule Document = new("An RFP document", RfpService.MaxDocumentBytes, MediaTypes: [], AcceptsMultipart: true);

    [Function("UploadRfp")]
    [ClientAccess(Permission.RfpsWrite)]
    [ApiOperation("Uploads a solicitation (PDF, DOCX or UTF-8 text, at most 25 MB) as the raw body with its Content-Type, or as multipart/form-data with one file part; query fileName names a raw upload. Starts a durable analysis: poll statusUrl.",
        Tag = "RFPs", RequestBody = typeof(string), RequestContentType = "application/pdf", Response = typeof(OperationAccepted), SuccessStatus = 202,
        Problems = [403, 413, 415])]
    public async Task<IResult> Upload(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/rfps")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Client();
        var file = await body.ReadFileAsync(request, Document, cancellationToken);
        var started = file.Succeeded
            ? await rfps.StartAsync(caller.TenantId, caller.Actor, new RfpUpload(file.Value.Content, file.Value.ContentType, file.Value.FileName, file.Value.Length), cancellationToken)
            : file.Problem;
        return started.Succeeded
            ? OperationUrls.Accepted(request, started.Value.ToString(), $"{catalog.RoutePrefix}/v1/rfps/{started.Value}")
            : ApiResults.Problem(started.Problem, request.HttpContext);
    }

    [Function("GetRfp")]
    [ClientAccess(Permission.RfpsRead)]
    [ApiOperation("An RFP and its analysis: status (pending, running, completed, failed) and progress, the extracted facts each with its source (page or paragraph, character offsets, snippet), and the assessment (summary, bid/no-bid with reasons, pricing from your won and lost history) with the method that wrote it (ai or local, and why local).",
        Tag = "RFPs", Response = typeof(RfpView), Problems = [403, 404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/rfps/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await rfps.GetAsync(request.Client().TenantId, id, cancellationToken), rfp => ApiResults.Json(rfp), request);

    [Function("ListRfps")]
    [ClientAccess(Permission.RfpsRead)]
    [ApiOperation("The business's RFPs, newest first, with their headline facts and recommendation (limit, cursor).",
        Tag = "RFPs", Response = typeof(RfpPage), Problems = [403])]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/rfps")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var page = Paging.Read(request);
        return page.Succeeded
            ? ApiResults.From(await rfps.ListAsync(request.Client().TenantId, page.Value.Limit, page.Value.Cursor, cancellationToken), result => ApiResults.Json(result), request)
            : ApiResults.Problem(page.Problem, request.HttpContext);
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
