using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using StreamFlow.Bench.Http;
using StreamFlow.Bench.Scoring;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.Identity.Passwords;
using StreamFlow.Functions.Hosting;

// Usage: StreamFlow.Bench.Http <api base url> [seconds per run] [concurrency]
//        StreamFlow.Bench.Http scoring <api base url> <folder with train.csv> [folds, default 5]
//        StreamFlow.Bench.Http api <api base url> [seconds per run] [mixed-load seconds] [host pid]  (bench/api/run.sh)
//        StreamFlow.Bench.Http round-trips <api base url> <count file> [requests]  (bench/api/run.sh round-trips)
//        StreamFlow.Bench.Http sse <api base url> <subscribers> <events>  (bench/api/run.sh sse)
//        StreamFlow.Bench.Http governance <api base url> <leads>  (bench/governance/run.sh)
//        StreamFlow.Bench.Http rotation <api base url> <leads>  (bench/api/run.sh rotation)
// Reads the same settings as the app (Postgres__AppConnectionString, credentials) from the environment.
if (args.FirstOrDefault() == "scoring")
{
    using var scoringHttp = new HttpClient { BaseAddress = new Uri(args[1]), Timeout = TimeSpan.FromMinutes(5) };
    var configurationForScoring = new ConfigurationBuilder().AddEnvironmentVariables().Build();
    var provider = await LoginOperatorAsync(scoringHttp, configurationForScoring["STREAMFLOW_PROVIDER_EMAIL"]!, configurationForScoring["STREAMFLOW_PROVIDER_PASSWORD"]!);
    var folds = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : StratifiedFolds.Count;
    await ScoringEvaluation.RunAsync(scoringHttp, provider, args[2], folds);
    return;
}

if (args.FirstOrDefault() == "api")
{
    using var apiHttp = new HttpClient { BaseAddress = new Uri(args[1]), Timeout = TimeSpan.FromMinutes(5) };
    var configurationForApi = new ConfigurationBuilder().AddEnvironmentVariables().Build();
    var provider = await LoginOperatorAsync(apiHttp, configurationForApi["STREAMFLOW_PROVIDER_EMAIL"]!, configurationForApi["STREAMFLOW_PROVIDER_PASSWORD"]!);
    await ApiBench.RunAsync(apiHttp, args[1], provider, configurationForApi, args);
    return;
}

if (args.FirstOrDefault() == "sse")
{
    using var sseHttp = new HttpClient { BaseAddress = new Uri(args[1]), Timeout = TimeSpan.FromMinutes(1) };
    var configurationForSse = new ConfigurationBuilder().AddEnvironmentVariables().Build();
    var provider = await LoginOperatorAsync(sseHttp, configurationForSse["STREAMFLOW_PROVIDER_EMAIL"]!, configurationForSse["STREAMFLOW_PROVIDER_PASSWORD"]!);
    await SseBench.RunAsync(sseHttp, args[1], provider, int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
    return;
}

if (args.FirstOrDefault() == "governance")
{
    using var governanceHttp = new HttpClient { BaseAddress = new Uri(args[1]), Timeout = TimeSpan.FromMinutes(30) };
    var configurationForGovernance = new ConfigurationBuilder().AddEnvironmentVariables().Build();
    var provider = await LoginOperatorAsync(governanceHttp, configurationForGovernance["STREAMFLOW_PROVIDER_EMAIL"]!, configurationForGovernance["STREAMFLOW_PROVIDER_PASSWORD"]!);
    await GovernanceBench.RunAsync(governanceHttp, provider, configurationForGovernance["Postgres:AppConnectionString"]!, int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
    return;
}

if (args.FirstOrDefault() == "rotation")
{
    using var rotationHttp = new HttpClient { BaseAddress = new Uri(args[1]), Timeout = TimeSpan.FromMinutes(1) };
    var configurationForRotation = new ConfigurationBuilder().AddEnvironmentVariables().Build();
    var provider = await LoginOperatorAsync(rotationHttp, configurationForRotation["STREAMFLOW_PROVIDER_EMAIL"]!, configurationForRotation["STREAMFLOW_PROVIDER_PASSWORD"]!);
    await RotationBench.RunAsync(rotationHttp, args[1], provider, configurationForRotation, int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
    return;
}

if (args.FirstOrDefault() == "round-trips")
{
    using var apiHttp = new HttpClient { BaseAddress = new Uri(args[1]), Timeout = TimeSpan.FromMinutes(1) };
    var configurationForApi = new ConfigurationBuilder().AddEnvironmentVariables().Build();
    var provider = await LoginOperatorAsync(apiHttp, configurationForApi["STREAMFLOW_PROVIDER_EMAIL"]!, configurationForApi["STREAMFLOW_PROVIDER_PASSWORD"]!);
    await ApiBench.RoundTripsAsync(apiHttp, args[1], provider, configurationForApi, args[2], int.Parse(args.ElementAtOrDefault(3) ?? "200", System.Globalization.CultureInfo.InvariantCulture));
    return;
}

var baseUrl = args.ElementAtOrDefault(0) ?? "http://127.0.0.1:7071";
var seconds = int.Parse(args.ElementAtOrDefault(1) ?? "10", System.Globalization.CultureInfo.InvariantCulture);
var concurrency = int.Parse(args.ElementAtOrDefault(2) ?? "16", System.Globalization.CultureInfo.InvariantCulture);
var duration = TimeSpan.FromSeconds(seconds);
var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();

Console.WriteLine($"StreamFlow HTTP bench: {baseUrl}, {seconds} s per run, {concurrency} concurrent requests, {Environment.ProcessorCount} cores");

// Baseline: a bare ASP.NET Core endpoint in this process doing the same PostgreSQL round trip as the health check.
await using var dataSource = NpgsqlDataSource.Create(configuration["Postgres:AppConnectionString"]!);
var baseline = WebApplication.CreateSlimBuilder();
baseline.Logging.ClearProviders();
baseline.WebHost.UseUrls("http://127.0.0.1:0");
var baselineApp = baseline.Build();
baselineApp.MapGet("/baseline/health", async () =>
{
    await using var command = dataSource.CreateCommand("SELECT 1");
    await command.ExecuteScalarAsync();
    return Results.Json(new { status = "ok" });
});
await baselineApp.StartAsync();
var baselineUrl = baselineApp.Urls.First();

var health = await LoadRun.RunAsync("StreamFlow GET /api/health", async client => (await client.GetAsync($"{baseUrl}/api/health")).IsSuccessStatusCode, concurrency, duration);
var bare = await LoadRun.RunAsync("bare ASP.NET Core + SELECT 1", async client => (await client.GetAsync($"{baselineUrl}/baseline/health")).IsSuccessStatusCode, concurrency, duration);
Console.WriteLine(health);
Console.WriteLine(bare);
Console.WriteLine($"ratio StreamFlow/bare: throughput {health.RequestsPerSecond / bare.RequestsPerSecond:0.00}, p99 {health.P99Ms / bare.P99Ms:0.00} "
    + "(health also probes Blob storage and the durable backend, in parallel)");
await baselineApp.StopAsync();

// Identity: a tenant made through the provider API, then login latency and authenticated request overhead.
using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
var providerToken = await LoginOperatorAsync(http, configuration["STREAMFLOW_PROVIDER_EMAIL"]!, configuration["STREAMFLOW_PROVIDER_PASSWORD"]!);
var slug = $"bench-{Guid.NewGuid():N}"[..18];
const string password = "bench password long enough";
using (var create = new HttpRequestMessage(HttpMethod.Post, "/api/v1/provider/tenants"))
{
    create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", providerToken);
    create.Content = JsonContent.Create(new { name = "Bench", slug, industry = "hvac", owner = new { email = $"owner@{slug}.example.com", name = "Bench Owner", password } });
    using var created = await http.SendAsync(create);
    created.EnsureSuccessStatusCode();
    var tenantId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
    using var limits = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/provider/tenants/{tenantId}/rate-limits");
    limits.Headers.Authorization = new AuthenticationHeaderValue("Bearer", providerToken);
    limits.Content = JsonContent.Create(new { requestsPerMinute = 100000, userRequestsPerMinute = 100000 });
    (await http.SendAsync(limits)).EnsureSuccessStatusCode();
}

var loginTimes = new List<double>();
string token = "";
for (var i = 0; i < 20; i++)
{
    var started = Stopwatch.GetTimestamp();
    using var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { tenant = slug, email = $"owner@{slug}.example.com", password });
    loginTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
}

var hasher = new PasswordHasher();
var hash = hasher.Hash(password);
var verifyTimes = Enumerable.Range(0, 20).Select(_ =>
{
    var started = Stopwatch.GetTimestamp();
    hasher.Verify(password, hash);
    return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}).Order().ToArray();
Console.WriteLine($"login over HTTP (Argon2id m=19 MiB, t=2, p=1): p50 {LoadRun.Percentile([.. loginTimes.Order()], 0.5):0.0} ms; "
    + $"Argon2id verify alone: p50 {LoadRun.Percentile(verifyTimes, 0.5):0.0} ms (target 50-250 ms)");

// Authenticated overhead in process: the session lookup + tenant context that every client request pays.
await using var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration).AddStreamFlowFunctions(configuration).BuildServiceProvider();
var auth = services.GetRequiredService<ClientAuthService>();
var authTimes = new List<double>();
for (var i = 0; i < 3000; i++)
{
    var started = Stopwatch.GetTimestamp();
    var principal = await auth.AuthenticateAsync(token, RequestOrigin.None, CancellationToken.None);
    authTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    if (!principal.Succeeded)
    {
        throw new InvalidOperationException("The bench session was refused.");
    }
}

var authSorted = authTimes.Skip(200).Order().ToArray();
Console.WriteLine($"authentication overhead per request (session lookup + tenant context, in process): p50 {LoadRun.Percentile(authSorted, 0.5):0.000} ms, p99 {LoadRun.Percentile(authSorted, 0.99):0.000} ms (target p50 < 1 ms)");

var authed = await LoadRun.RunAsync("GET /api/v1/pipeline/stages (auth)", async client =>
{
    using var request = new HttpRequestMessage(HttpMethod.Get, $"{baseUrl}/api/v1/pipeline/stages");
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    return (await client.SendAsync(request)).IsSuccessStatusCode;
}, concurrency, duration);
Console.WriteLine(authed);

static async Task<string> LoginOperatorAsync(HttpClient http, string email, string password)
{
    using var response = await http.PostAsJsonAsync("/api/v1/provider/auth/login", new { email, password });
    response.EnsureSuccessStatusCode();
    return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
}
