using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.IntegrationTests.LeadSources;

// Usage: StreamFlow.Bench.Sources <apiBaseUrl> <fakePort> [notices]
//        StreamFlow.Bench.Sources webform <apiBaseUrl> <rates per second, comma-separated> <seconds per rate>
// The standalone host at apiBaseUrl must have LeadSources__SamGov__BaseUrl=http://127.0.0.1:<fakePort>.
if (args[0] == "webform")
{
    await StreamFlow.Bench.Sources.WebFormBench.RunAsync(
        args[1], args[2].Split(',').Select(rate => int.Parse(rate, CultureInfo.InvariantCulture)).ToList(), int.Parse(args[3], CultureInfo.InvariantCulture));
    return;
}

var baseUrl = args[0];
var fakePort = int.Parse(args[1], CultureInfo.InvariantCulture);
var notices = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5_000;
using var sam = new SamGovFake(fakePort).WithNotices(notices).Serving();
using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(5) };

// Baseline: the vendor side alone — the same pages fetched and parsed, nothing stored.
var fetchClock = Stopwatch.StartNew();
var read = 0;
for (var offset = 0; offset < notices; offset += 1000)
{
    var page = await http.GetFromJsonAsync<JsonElement>(
        $"{sam.Url}/opportunities/v2/search?api_key={SamGovFake.ApiKey}&postedFrom=12/01/2026&postedTo=12/06/2026&limit=1000&offset={offset}");
    read += page.GetProperty("opportunitiesData").GetArrayLength();
}

var fetchMs = fetchClock.Elapsed.TotalMilliseconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"baseline: {read} notices fetched and parsed from the fake in {fetchMs:0} ms (pages of 1,000, nothing stored)"));

var token = await OwnerTokenAsync(http);
using var created = await Send(HttpMethod.Post, "/api/v1/connections", new
{
    kind = "sam_gov", name = "Bench", schedule = "manual", credentials = new { apiKey = SamGovFake.ApiKey },
    settings = new { naicsCodes = new[] { "238220" }, fetchAttachments = false },
});
created.EnsureSuccessStatusCode();
var connectionId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

var clock = Stopwatch.StartNew();
using var accepted = await Send(HttpMethod.Post, $"/api/v1/connections/{connectionId}/syncs");
accepted.EnsureSuccessStatusCode();
var statusUrl = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("statusUrl").GetString()!;
JsonElement sync;
do
{
    await Task.Delay(200);
    using var poll = await Send(HttpMethod.Get, statusUrl);
    sync = await poll.Content.ReadFromJsonAsync<JsonElement>();
}
while (sync.GetProperty("status").GetString() is "pending" or "running");

var syncSeconds = clock.Elapsed.TotalSeconds;
var leads = await CountLeadsAsync();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"sync: {sync.GetProperty("status").GetString()} in {syncSeconds:0.0} s — pages {sync.GetProperty("pages")}, seen {sync.GetProperty("itemsSeen")}, created {sync.GetProperty("leadsCreated")}, failed {sync.GetProperty("itemsFailed")}; {leads} SAM.gov leads in the API ({leads / syncSeconds:0} leads/s)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"FIGURE sam-gov-sync-{notices}-notices-s {syncSeconds:0.0} (target < 60; baseline fetch+parse only {fetchMs / 1000:0.0} s){(leads == notices ? "" : $" — INCOMPLETE: {leads} of {notices} leads")}"));

async Task<int> CountLeadsAsync()
{
    var count = 0;
    string? cursor = null;
    do
    {
        using var response = await Send(HttpMethod.Get, "/api/v1/leads?source=SAM.gov&limit=500" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
        var page = await response.Content.ReadFromJsonAsync<JsonElement>();
        count += page.GetProperty("items").GetArrayLength();
        cursor = page.GetProperty("nextCursor").GetString();
    }
    while (cursor is not null);
    return count;
}

Task<HttpResponseMessage> Send(HttpMethod method, string path, object? json = null)
{
    var request = new HttpRequestMessage(method, path) { Content = json is null ? null : JsonContent.Create(json) };
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    return http.SendAsync(request);
}

static async Task<string> OwnerTokenAsync(HttpClient http)
{
    using var provider = await http.PostAsJsonAsync("/api/v1/provider/auth/login", new
    {
        email = Environment.GetEnvironmentVariable("STREAMFLOW_PROVIDER_EMAIL"),
        password = Environment.GetEnvironmentVariable("STREAMFLOW_PROVIDER_PASSWORD"),
    });
    provider.EnsureSuccessStatusCode();
    var providerToken = (await provider.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
    var slug = $"sam-bench-{Guid.NewGuid():N}"[..20];
    const string password = "a long bench passphrase";
    using var create = new HttpRequestMessage(HttpMethod.Post, "/api/v1/provider/tenants")
    {
        Content = JsonContent.Create(new { name = "SAM.gov bench", slug, industry = "hvac", owner = new { email = $"owner@{slug}.example.com", name = "Bench Owner", password } }),
    };
    create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", providerToken);
    using var createdTenant = await http.SendAsync(create);
    createdTenant.EnsureSuccessStatusCode();
    using var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { tenant = slug, email = $"owner@{slug}.example.com", password });
    login.EnsureSuccessStatusCode();
    return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
}
