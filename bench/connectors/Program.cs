using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamFlow.IntegrationTests.Connectors;

// Usage: StreamFlow.Bench.Connectors <hostDll> <apiPort> <fakePort> [invoices] [requestsPerMinute]
//        StreamFlow.Bench.Connectors servicetitan <hostDll> <apiPort> <fakePort> [customers] [jobs] [pageSize]
if (args.Length > 0 && args[0] == "servicetitan")
{
    int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
    await ServiceTitanBench.RunAsync(args[1], Arg(2, 0), Arg(3, 0), Arg(4, 20_000), Arg(5, 50_000), Arg(6, 500), OwnerTokenAsync);
    return;
}

// Starts the standalone host itself (so that it can kill -9 it mid-push and start it again); the QuickBooks fake runs in
// this process and outlives the host, so its journal counts every create across the kill.
var hostDll = args[0];
var apiPort = int.Parse(args[1], CultureInfo.InvariantCulture);
var fakePort = int.Parse(args[2], CultureInfo.InvariantCulture);
var invoices = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1_000;
var perMinute = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 500;
using var qb = new QuickBooksFake(fakePort);
using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}"), Timeout = TimeSpan.FromMinutes(2) };

// Baseline: the vendor side alone, unthrottled — the same creates sent straight to the fake, one at a time.
var baseline = await BaselineAsync(invoices);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"baseline: {invoices} customers + {invoices} invoices created in the fake directly (no throttle, nothing stored) in {baseline:0.0} s; "
    + $"under the throttle of {perMinute}/min the floor is {Math.Max(0, (2.0 * invoices - perMinute) / perMinute):0.0} min of waiting (2 creates per invoice)"));

Process? host = null;
var token = "";
try
{
    host = StartHost();
    await WaitHealthyAsync();
    token = await OwnerTokenAsync(http);
    var connectionId = await ConnectAsync();
    var leadsClock = Stopwatch.StartNew();
    await Parallel.ForAsync(0, invoices, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) => await WonLeadAsync(i));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"setup: {invoices} won leads with amounts created through the API in {leadsClock.Elapsed.TotalSeconds:0.0} s"));

    qb.RequestsPerMinute = perMinute;
    var clock = Stopwatch.StartNew();
    using var accepted = await Send(HttpMethod.Post, $"/api/v1/connections/{connectionId}/syncs");
    accepted.EnsureSuccessStatusCode();
    var statusUrl = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("statusUrl").GetString()!;

    // Kill -9 once about 40% of the invoices are in QuickBooks, then start the host again: the durable sync resumes.
    while (qb.Creates.Count(c => c.Entity == "Invoice") < invoices * 2 / 5 && clock.Elapsed < TimeSpan.FromMinutes(20))
    {
        await Task.Delay(100);
    }

    var atKill = qb.Creates.Count(c => c.Entity == "Invoice");
    host.Kill(entireProcessTree: true);
    await host.WaitForExitAsync();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kill -9 of the host after {clock.Elapsed.TotalSeconds:0.0} s with {atKill} invoices created"));
    host = StartHost();
    await WaitHealthyAsync();

    JsonElement sync;
    do
    {
        await Task.Delay(500);
        using var poll = await Send(HttpMethod.Get, statusUrl);
        sync = await poll.Content.ReadFromJsonAsync<JsonElement>();
    }
    while (sync.GetProperty("status").GetString() is "pending" or "running" && clock.Elapsed < TimeSpan.FromMinutes(30));

    var seconds = clock.Elapsed.TotalSeconds;
    var invoiceCreates = qb.Creates.Where(c => c.Entity == "Invoice").ToList();
    var customerCreates = qb.Creates.Count(c => c.Entity == "Customer");
    var distinctDocNumbers = invoiceCreates.Select(c => c.DocNumber).Distinct(StringComparer.Ordinal).Count();
    var duplicateRequestIds = invoiceCreates.GroupBy(c => c.RequestId, StringComparer.Ordinal).Count(g => g.Count() > 1);
    var inBooks = qb.Invoices().Count;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"sync: {sync.GetProperty("status").GetString()} in {seconds:0.0} s across the kill — pages {sync.GetProperty("pages")}, retries (429 waits) {sync.GetProperty("retries")}, 429s answered by the fake {qb.Throttled}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"journal: {invoiceCreates.Count} invoice creates for {distinctDocNumbers} distinct DocNumbers ({duplicateRequestIds} requestids created twice), {inBooks} invoices in the books, {customerCreates} customers created"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"FIGURE quickbooks-push-{invoices}-invoices-throttled-{perMinute}-per-min-s {seconds:0.0} (baseline unthrottled {baseline:0.0} s)"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"FIGURE quickbooks-invoices-created-twice-after-kill {invoiceCreates.Count - distinctDocNumbers}{(inBooks == invoices && distinctDocNumbers == invoices ? "" : $" — INCOMPLETE: {inBooks} of {invoices} invoices")}"));
    host.Kill(entireProcessTree: true);
    await host.WaitForExitAsync();
}
finally
{
    // A failed run must not leave its host holding the bench's ports and data folder.
    if (host is { HasExited: false })
    {
        host.Kill(entireProcessTree: true);
    }
}

return;

Process StartHost()
{
    var start = new ProcessStartInfo("dotnet", [hostDll]) { WorkingDirectory = Path.GetDirectoryName(hostDll)!, RedirectStandardOutput = true, RedirectStandardError = true };
    start.Environment["Connectors__QuickBooks__BaseUrl"] = qb.Url;
    start.Environment["Connectors__QuickBooks__TokenUrl"] = $"{qb.Url}/oauth2/v1/tokens/bearer";
    start.Environment["Connectors__QuickBooks__AuthorizationUrl"] = $"{qb.Url}/connect/oauth2";
    start.Environment["Connectors__QuickBooks__ClientId"] = QuickBooksFake.ClientId;
    start.Environment["Connectors__QuickBooks__ClientSecret"] = QuickBooksFake.ClientSecret;
    start.Environment["Connectors__QuickBooks__RedirectUri"] = $"http://127.0.0.1:{apiPort}/api/v1/connectors/oauth/callback";
    var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, _) => { };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

async Task WaitHealthyAsync()
{
    for (var i = 0; i < 600; i++)
    {
        try
        {
            using var health = await http.GetAsync("/api/health");
            if (health.IsSuccessStatusCode)
            {
                return;
            }
        }
        catch (HttpRequestException)
        {
        }

        await Task.Delay(100);
    }

    throw new TimeoutException("The host did not become healthy.");
}

async Task<double> BaselineAsync(int count)
{
    using var direct = new QuickBooksFake();
    using var client = new HttpClient { BaseAddress = new Uri(direct.Url) };
    var basic = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{QuickBooksFake.ClientId}:{QuickBooksFake.ClientSecret}"));
    using var tokenRequest = new HttpRequestMessage(HttpMethod.Post, "/oauth2/v1/tokens/bearer")
    {
        Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = QuickBooksFake.GoodCode, ["code_verifier"] = new string('v', 43) }),
    };
    tokenRequest.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
    using var tokenResponse = await client.SendAsync(tokenRequest);
    var access = (await tokenResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
    var watch = Stopwatch.StartNew();
    for (var i = 0; i < count; i++)
    {
        using var customerRequest = new HttpRequestMessage(HttpMethod.Post, $"/v3/company/{QuickBooksFake.Realm}/customer?minorversion=75&requestid=c{i}")
        {
            Content = JsonContent.Create(new JsonObject { ["DisplayName"] = $"Customer {i}" }),
        };
        customerRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
        using var customer = await client.SendAsync(customerRequest);
        var customerId = (await customer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("Customer").GetProperty("Id").GetString();
        using var invoiceRequest = new HttpRequestMessage(HttpMethod.Post, $"/v3/company/{QuickBooksFake.Realm}/invoice?minorversion=75&requestid=i{i}")
        {
            Content = JsonContent.Create(new JsonObject
            {
                ["CustomerRef"] = new JsonObject { ["value"] = customerId }, ["DocNumber"] = $"B-{i}",
                ["Line"] = new JsonArray(new JsonObject { ["Amount"] = 100m, ["DetailType"] = "SalesItemLineDetail" }),
            }),
        };
        invoiceRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
        using var invoice = await client.SendAsync(invoiceRequest);
        invoice.EnsureSuccessStatusCode();
    }

    return watch.Elapsed.TotalSeconds;
}

async Task<string> ConnectAsync()
{
    using var created = await Send(HttpMethod.Post, "/api/v1/connections", new { kind = "quickbooks", name = "Bench books", schedule = "manual", settings = new { } });
    created.EnsureSuccessStatusCode();
    var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    using var started = await Send(HttpMethod.Post, $"/api/v1/connections/{id}/authorizations");
    started.EnsureSuccessStatusCode();
    var consent = new Uri((await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("authorizationUrl").GetString()!);
    var state = consent.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).Single(p => p[0] == "state")[1];
    using var callback = await http.GetAsync($"/api/v1/connectors/oauth/callback?code={QuickBooksFake.GoodCode}&state={state}&realmId={QuickBooksFake.Realm}");
    callback.EnsureSuccessStatusCode();
    return id;
}

async Task WonLeadAsync(int i)
{
    using var created = await Send(HttpMethod.Post, "/api/v1/leads", new { firstName = $"Bench{i}", lastName = "Customer", email = $"bench{i}@example.com" });
    created.EnsureSuccessStatusCode();
    var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
    using var won = await Send(HttpMethod.Patch, $"/api/v1/leads/{id}", new { outcome = new { status = "won", amount = $"{100 + i % 900}.00", currency = "USD" } });
    won.EnsureSuccessStatusCode();
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
    var slug = $"qb-bench-{Guid.NewGuid():N}"[..20];
    const string password = "a long bench passphrase";
    using var create = new HttpRequestMessage(HttpMethod.Post, "/api/v1/provider/tenants")
    {
        Content = JsonContent.Create(new { name = "QuickBooks bench", slug, industry = "hvac", owner = new { email = $"owner@{slug}.example.com", name = "Bench Owner", password } }),
    };
    create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", providerToken);
    using var createdTenant = await http.SendAsync(create);
    createdTenant.EnsureSuccessStatusCode();
    // The setup writes 2,000 requests as one user: lift the business's API rate limits as bench/api does.
    var tenantId = (await createdTenant.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
    using var limits = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/provider/tenants/{tenantId}/rate-limits")
    {
        Content = JsonContent.Create(new { requestsPerMinute = 100000, userRequestsPerMinute = 100000 }),
    };
    limits.Headers.Authorization = new AuthenticationHeaderValue("Bearer", providerToken);
    (await http.SendAsync(limits)).EnsureSuccessStatusCode();
    using var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { tenant = slug, email = $"owner@{slug}.example.com", password });
    login.EnsureSuccessStatusCode();
    return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
}
