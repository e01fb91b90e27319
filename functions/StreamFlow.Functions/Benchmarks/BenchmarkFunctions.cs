using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Benchmarks;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Benchmarks;

/// <summary>Peer benchmarks: the provider sees every business's position, a business only its own.</summary>
public sealed class BenchmarkFunctions(BenchmarkService benchmarks)
{
    [Function("GetProviderBenchmarks")]
    [ProviderAccess]
    [ApiOperation("Every active client business's position over the last 90 days on lead volume, speed to first contact, conversion, won revenue per "
        + "lead, average job value and AI spend share, against its cohort (industry and size band, else industry); cohorts under 5 are suppressed "
        + "with the reason.",
        Tag = "Benchmarks", Response = typeof(BenchmarkReport))]
    public async Task<IResult> All(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/benchmarks")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await benchmarks.ReportAsync(cancellationToken));

    [Function("GetOwnBenchmark")]
    [ClientAccess(Permission.ReportsRead)]
    [ApiOperation("This business's position against its peers (percentile rank and the cohort's quartiles and 90th percentile per figure); "
        + "nothing of any other business, and no figure from fewer than 5 businesses.",
        Tag = "Benchmarks", Response = typeof(OwnBenchmark), Problems = [404])]
    public async Task<IResult> Own(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/benchmarks")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.From(await benchmarks.ForTenantAsync(request.Client().TenantId, cancellationToken), own => ApiResults.Json(own), request);
}
