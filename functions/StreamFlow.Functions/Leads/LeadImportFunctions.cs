using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Leads.Import;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Durable;
using StreamFlow.Functions.Hosting;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;
using StreamFlow.Orchestrations;
using StreamFlow.Orchestrations.Leads;

namespace StreamFlow.Functions.Leads;

/// <summary>CSV imports of leads: the upload that starts one and its progress.</summary>
public sealed class LeadImportFunctions(RequestBody body, LeadImportService imports, FunctionCatalog catalog)
{
    private static readonly UploadRule Csv = new("A CSV import", LeadCsvImportOptions.DefaultMaxBytes, ["text/csv"]);

    [Function("ImportLeads")]
    [ClientAccess(Permission.LeadsImport)]
    [ApiOperation("Imports leads from a CSV body (text/csv, up to 100,000 rows / 50 MB); query externalIdColumn and outcomeColumn. Runs durably; poll statusUrl.",
        Tag = "Leads", RequestBody = typeof(string), RequestContentType = "text/csv", Response = typeof(OperationAccepted), SuccessStatus = 202)]
    public async Task<IResult> Import(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/leads/import")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Client();
        var csv = await body.ReadFileAsync(request, Csv, cancellationToken);
        var started = csv.Succeeded
            ? await imports.StartAsync(caller.TenantId, caller.Actor, csv.Value.Content, Text(request.Query["externalIdColumn"]), Text(request.Query["outcomeColumn"]), cancellationToken)
            : csv.Problem;
        return started.Succeeded
            ? OperationUrls.Accepted(request, started.Value.ToString(), $"{catalog.RoutePrefix}/v1/leads/imports/{started.Value}")
            : ApiResults.Problem(started.Problem, request.HttpContext);
    }

    [Function("GetLeadImport")]
    [ClientAccess(Permission.LeadsImport)]
    [ApiOperation("Progress of an import: status, total, processed, failed and each bad row with its reason.", Tag = "Leads",
        Response = typeof(LeadImportStatus), Problems = [404])]
    public async Task<IResult> Status(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/leads/imports/{id:guid}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        await imports.StatusAsync(request.Client().TenantId, id, cancellationToken) is { } status
            ? ApiResults.Json(status)
            : ApiResults.Problem(Problem.NotFound("The import"), request.HttpContext);

    private static string? Text(Microsoft.Extensions.Primitives.StringValues value) => value.ToString() is { Length: > 0 } text ? text : null;
}

/// <summary>The one-line trigger shims over the lead import classes in StreamFlow.Orchestrations.</summary>
public sealed class LeadImportTriggers(ParseLeadImportActivity parseImport, ImportLeadChunkActivity importChunk, FinishLeadImportActivity finishImport)
{
    [Function(TaskNames.LeadImport)]
    public static Task<string> LeadImport([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new LeadImportOrchestrator().RunAsync(context, context.GetInput<LeadImportInput>()!);

    [Function(TaskNames.ParseLeadImport)]
    public Task<int> ParseLeadImport([ActivityTrigger] LeadImportInput input) =>
        parseImport.RunAsync(new FunctionActivityContext(TaskNames.ParseLeadImport), input);

    [Function(TaskNames.ImportLeadChunk)]
    public Task<ImportChunkOutcome> ImportLeadChunk([ActivityTrigger] ImportChunkRequest input) =>
        importChunk.RunAsync(new FunctionActivityContext(TaskNames.ImportLeadChunk), input);

    [Function(TaskNames.FinishLeadImport)]
    public Task<bool> FinishLeadImport([ActivityTrigger] LeadImportFinish input) =>
        finishImport.RunAsync(new FunctionActivityContext(TaskNames.FinishLeadImport), input);
}
