using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Privacy.Detection;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Privacy;

/// <summary>Personal data found in a lead's free text (kinds and counts, never the values).</summary>
public sealed class PersonalDataFunctions(PersonalDataScanner scanner)
{
    [Function("GetLeadPersonalData")]
    [ClientAccess(Permission.LeadsRead)]
    [ApiOperation("Personal data found in the lead's notes, attributes (imported columns) and timeline: record, field, kind (email, phone, ssn, "
        + "card, address) and count, never the values. scanned is false while the lead's latest change waits for the scan (PersonalDataScanSchedule).",
        Tag = "Privacy", Response = typeof(LeadPersonalData), Problems = [404])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/leads/{id:guid}/personal-data")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken) =>
        ApiResults.From(await scanner.ForLeadAsync(request.Client().TenantId, id, cancellationToken), found => ApiResults.Json(found), request);
}

/// <summary>Scans what was written since the last run; safe to fire twice (a scanned record is not due again until it changes).</summary>
public sealed class PersonalDataScanTimer(PersonalDataScanner scanner, ILogger<PersonalDataScanTimer> logger)
{
    [Function("ScanPersonalData")]
    public async Task Run([TimerTrigger("%PersonalDataScanSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var scanned = await scanner.ScanAllAsync(cancellationToken);
        logger.LogInformation("Personal-data scan: {Records} records scanned", scanned);
    }
}
