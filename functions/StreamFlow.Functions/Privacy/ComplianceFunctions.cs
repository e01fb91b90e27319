using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Privacy.Compliance;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Privacy;

/// <summary>The compliance evidence report, for developers (the platform's operators answer the SOC 2 and GDPR audits).</summary>
public sealed class ComplianceFunctions(ComplianceEvidenceService evidence)
{
    [Function("GetComplianceEvidence")]
    [DeveloperAccess]
    [ApiOperation("Compliance evidence over a period (from, to: YYYY-MM-DD, to inclusive; default the last 90 days, at most 400): users, roles and MFA "
        + "coverage per business, who requested, exported, downloaded or erased personal data (audit chain), key rotations, backup verifications, "
        + "data-subject requests with their completion times.", Tag = "Developer", Query = ["from", "to"], Response = typeof(ComplianceEvidence), Problems = [400])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/dev/compliance/evidence")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var from = QueryParameters.Date(request, "from", errors);
        var to = QueryParameters.Date(request, "to", errors);
        if (errors.ToProblem() is { } invalid)
        {
            return ApiResults.Problem(invalid, request.HttpContext);
        }

        return ApiResults.From(await evidence.BuildAsync(StartOf(from), StartOf(to?.AddDays(1)), cancellationToken), report => ApiResults.Json(report), request);
    }

    private static DateTimeOffset? StartOf(DateOnly? day) => day is { } d ? new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null;
}
