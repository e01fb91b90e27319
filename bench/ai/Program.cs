// AI gateway overhead, measured against a local upstream that answers instantly (Kestrel on 127.0.0.1).
//
//   bench/ai/run.sh                      starts its own PostgreSQL, migrates, runs this
//   dotnet run -c Release --project bench/ai -- [calls]   with Postgres__AppConnectionString / __OwnerConnectionString set
//
// Overhead per call = wall time of AiGateway.CompleteAsync minus the time spent in the upstream attempt, i.e. the
// admission round trip (settings + reservation in one statement; redaction and token count before it) and the
// settlement round trip (reconcile + ledger). A cache hit is one round trip (settings + lookup + its ledger row) and
// no upstream call.
using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using StreamFlow.Core.Ai;
using StreamFlow.Core.Database;

var calls = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
var appConnection = Environment.GetEnvironmentVariable("Postgres__AppConnectionString")
    ?? throw new InvalidOperationException("Set Postgres__AppConnectionString (bench/ai/run.sh does).");
var ownerConnection = Environment.GetEnvironmentVariable("Postgres__OwnerConnectionString")
    ?? throw new InvalidOperationException("Set Postgres__OwnerConnectionString (bench/ai/run.sh does).");

const string CompletionJson = """
    {"id":"chatcmpl-bench","object":"chat.completion","created":1764000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"Score: 82. Strong intent, budget confirmed.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":60,"completion_tokens":12,"total_tokens":72,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}},"system_fingerprint":"fp_bench"}
    """;

var upstreamBuilder = WebApplication.CreateSlimBuilder();
upstreamBuilder.WebHost.UseUrls("http://127.0.0.1:0");
upstreamBuilder.Logging.ClearProviders();
await using var upstream = upstreamBuilder.Build();
upstream.MapPost("/v1/chat/completions", () => Results.Text(CompletionJson, "application/json"));
await upstream.StartAsync();
var upstreamUrl = upstream.Urls.First();

var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Postgres:AppConnectionString"] = appConnection,
    ["Postgres:OwnerConnectionString"] = ownerConnection,
    ["Ai:Deployments:0:Name"] = "bench",
    ["Ai:Deployments:0:Endpoint"] = upstreamUrl + "/v1",
    ["Ai:Deployments:0:ApiKey"] = "sk-bench",
    ["Ai:Deployments:0:Model"] = "gpt-4o-mini",
    ["Ai:Prices:0:Model"] = "gpt-4o-mini",
    ["Ai:Prices:0:InputPerMillion"] = "0.15",
    ["Ai:Prices:0:OutputPerMillion"] = "0.60",
    ["Ai:Budget:ProviderMonthlyCapUsd"] = "1000000",
}).Build();

await using var dataSource = NpgsqlDataSource.Create(appConnection);
await using var services = new ServiceCollection()
    .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
    .AddSingleton(TimeProvider.System)
    .AddSingleton(dataSource)
    .AddSingleton<StreamFlowDatabase>()
    .AddOptions<PostgresOptions>().Configure(o => o.OwnerConnectionString = ownerConnection).Services
    .AddSingleton<DatabaseMigrator>()
    .AddAi(configuration)
    .BuildServiceProvider();

var migration = services.GetRequiredService<DatabaseMigrator>().Migrate();
if (!migration.Successful)
{
    throw new InvalidOperationException($"Migrations failed: {migration.Error}");
}

var gateway = services.GetRequiredService<AiGateway>();
var database = services.GetRequiredService<StreamFlowDatabase>();
var tenant = Guid.CreateVersion7();
await database.InPlatformAsync(scope => scope.Connection.ExecuteAsync(scope.Command(
    "INSERT INTO tenants (id, slug, name, industry) VALUES (@tenant, @slug, 'Bench tenant', 'hvac')", new { tenant, slug = $"bench-{tenant:N}" })),
    CancellationToken.None);
await services.GetRequiredService<AiBudgetService>().SetTenantBudgetAsync(tenant, new AiTenantBudget(100000m, 100000m), CancellationToken.None);

AiRequest Request(int i, float temperature) => new(tenant, null, AiFeatures.Scoring,
[
    new AiMessage(AiMessageRole.System, "You score sales leads for a roofing contractor from 0 to 100 and give one reason."),
    new AiMessage(AiMessageRole.User, $"Lead {i}: roof replacement, 2,400 sq ft, wants three quotes within two weeks, budget approved. Contact via the web form."),
], MaxOutputTokens: 200, Temperature: temperature);

Console.WriteLine($"AI gateway bench: {calls} sequential calls per figure, upstream {upstreamUrl} (answers instantly), PostgreSQL {new NpgsqlConnectionStringBuilder(appConnection).Host}:{new NpgsqlConnectionStringBuilder(appConnection).Port}");

// Warm-up: JIT, connection pool, tokenizer data, prepared plans.
for (var i = 0; i < 200; i++)
{
    await gateway.CompleteAsync(Request(i, 0.7f), CancellationToken.None);
}

// The floor under every non-cached call is two durable commits (the reservation must be on disk before the upstream
// is called, the settlement before the call returns). The smallest such transaction — set the tenant, update one
// row, commit — is measured interleaved with the gateway calls, so both see the same machine load.
async Task<double> SmallestWritingTransactionAsync()
{
    var started = Stopwatch.GetTimestamp();
    await database.InTenantAsync(tenant, scope => scope.Connection.ExecuteAsync(scope.Command(
        "UPDATE ai_tenant_settings SET updated_at = now() WHERE tenant_id = @tenant", new { tenant })), CancellationToken.None);
    return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}

Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");
var overhead = new List<double>(calls);
var wall = new List<double>(calls);
var upstreamTimes = new List<double>(calls);
var commits = new List<double>(calls);
for (var i = 0; i < calls; i++)
{
    commits.Add(await SmallestWritingTransactionAsync());
    var started = Stopwatch.GetTimestamp();
    var result = await gateway.CompleteAsync(Request(i, 0.7f), CancellationToken.None);
    var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    if (!result.Succeeded)
    {
        throw new InvalidOperationException(result.Problem.Detail);
    }

    wall.Add(elapsed);
    upstreamTimes.Add(result.Value.UpstreamLatency.TotalMilliseconds);
    overhead.Add(elapsed - result.Value.UpstreamLatency.TotalMilliseconds);
}

var cacheRequest = Request(-1, 0f);
await gateway.CompleteAsync(cacheRequest, CancellationToken.None);
var cacheHits = new List<double>(calls);
for (var i = 0; i < calls; i++)
{
    var started = Stopwatch.GetTimestamp();
    var result = await gateway.CompleteAsync(cacheRequest, CancellationToken.None);
    cacheHits.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    if (result.Value?.CacheHit != true)
    {
        throw new InvalidOperationException("Expected a cache hit.");
    }
}

const int Concurrency = 16;
var concurrentCalls = calls;
var concurrentStarted = Stopwatch.GetTimestamp();
var next = 0;
await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
{
    while (Interlocked.Increment(ref next) <= concurrentCalls)
    {
        var result = await gateway.CompleteAsync(Request(next, 0.7f), CancellationToken.None);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(result.Problem.Detail);
        }
    }
}));
var concurrentSeconds = Stopwatch.GetElapsedTime(concurrentStarted).TotalSeconds;

Print("gateway overhead per call (reservation + ledger, upstream excluded)", overhead, target: 5);
Print("cache hit, whole call", cacheHits, target: 5);
Print("whole call incl. local upstream", wall, target: null);
Print("baseline: smallest durable tenant transaction (a call needs two)", commits, target: null);
Print("upstream attempt (SDK + HTTP to the local fake)", upstreamTimes, target: null);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"gateway work beyond its two commits (p50 overhead - 2 x p50 smallest transaction): {Median(overhead) - 2 * Median(commits):F2} ms"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"throughput with {Concurrency} concurrent callers on one tenant: {concurrentCalls / concurrentSeconds:F0} calls/s ({concurrentCalls} calls in {concurrentSeconds:F2} s)"));

Console.WriteLine($"load average at end: {File.ReadAllText("/proc/loadavg").Trim()}");
await upstream.StopAsync();

static double Median(List<double> samples) => samples.Order().ElementAt(samples.Count / 2);

static void Print(string name, List<double> samples, double? target)
{
    samples.Sort();
    double P(double q) => samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(q * samples.Count) - 1)];
    var verdict = target is { } t ? (P(0.5) < t ? $"  (target p50 < {t} ms: met)" : $"  (target p50 < {t} ms: NOT met)") : "";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name,-70} p50 {P(0.5),6:F2} ms  p95 {P(0.95),6:F2} ms  p99 {P(0.99),6:F2} ms{verdict}"));
}
