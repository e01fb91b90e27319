using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using StreamFlow.Core.Health;
using StreamFlow.Core.Identity.Systems;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Health;

public sealed class HealthFunctions(HealthService health, HeartbeatStore heartbeats)
{
    [Function("Health")]
    [AnonymousAccess("Load balancers and uptime probes call it without credentials.")]
    [ApiOperation("Checks PostgreSQL, Blob storage and the durable backend (at most every 2 s): 200 when all answer, 503 naming the one that does not.",
        Tag = "Platform", Response = typeof(HealthResponse), Problems = [503])]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var report = await health.CheckCachedAsync([DurableHealthProbe.For(durable)], cancellationToken);
        return ApiResults.Json(new HealthResponse(report.Status, report.Checks), report.IsHealthy ? 200 : 503);
    }

    [Function("HealthHistory")]
    [DeveloperAccess]
    [ApiOperation("The recent heartbeats: what each periodic health check saw.", Tag = "Developer",
        Response = typeof(HealthReport[]))]
    public async Task<IResult> History(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/dev/health/history")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await heartbeats.RecentAsync(100, cancellationToken));
}

public sealed record HealthResponse(string Status, IReadOnlyDictionary<string, HealthCheckResult> Checks);

/// <summary>The durable backend answers when it can look up an instance (absent or not).</summary>
internal static class DurableHealthProbe
{
    public static HealthProbe For(DurableTaskClient client) =>
        new("durable", cancellationToken => client.GetInstanceAsync("streamflow-health-probe", cancellationToken));
}
