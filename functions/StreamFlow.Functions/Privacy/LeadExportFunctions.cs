using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Privacy.Exports;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Privacy;

/// <summary>The business's leads as a file, with personal data masked for roles without PersonalDataRead.</summary>
public sealed class LeadExportFunctions(LeadExportService exports)
{
    [Function("ExportLeads")]
    [ClientAccess(Permission.LeadsRead)]
    [ApiOperation("The business's live leads as format=csv or json (at most 50,000; 422 beyond). Without PersonalDataRead (staff, employees) email, "
        + "phone and postal code are masked and emails, phones, SSNs, cards and addresses in notes and attribute values replaced by [EMAIL], [PHONE], "
        + "[SSN], [CARD], [ADDRESS]. Every export is audited (privacy.leads.exported).",
        Tag = "Privacy", Query = ["format"], Problems = [400, 422])]
    public async Task<IResult> Export(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/leads/export")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.From(
            await exports.ExportAsync(request.Client(), RequestOrigins.Of(request), request.Query["format"].ToString(), cancellationToken),
            file => TypedResults.File(file.Content, file.ContentType, file.FileName), request);
}
