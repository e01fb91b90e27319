using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace StreamFlow.Bench.Http;

/// <summary>
/// Issue #19's table: StreamFlow's authenticated lead read and lead create next to a bare ASP.NET Core + Npgsql
/// endpoint that does the least the same answer needs in one round trip (tenant setting, session check, the row),
/// then a mixed load at 200 connections and the host's peak working set.
/// </summary>
internal static class ApiBench
{
    private const string BareReadSql = """
        SELECT set_config('app.tenant_id', @t, true);
        SELECT 1 FROM sessions WHERE token_hash = @h AND revoked_at IS NULL AND expires_at > now();
        SELECT row_to_json(l)::text FROM (SELECT id, first_name, source, stage, score_tier, created_at FROM leads WHERE id = @id) l;
        """;

    private const string BareInsertSql = """
        SELECT set_config('app.tenant_id', @t, true);
        SELECT 1 FROM sessions WHERE token_hash = @h AND revoked_at IS NULL AND expires_at > now();
        INSERT INTO leads (id, tenant_id, first_name, source, stage, created_at, updated_at)
        VALUES (@id, @t::uuid, 'Dana', 'Reference', 'new', now(), now()) RETURNING id;
        """;

    public static async Task RunAsync(HttpClient http, string baseUrl, string providerToken, IConfiguration configuration, string[] args)
    {
        var duration = TimeSpan.FromSeconds(int.Parse(args.ElementAtOrDefault(2) ?? "10", System.Globalization.CultureInfo.InvariantCulture));
        var mixedDuration = TimeSpan.FromSeconds(int.Parse(args.ElementAtOrDefault(3) ?? "60", System.Globalization.CultureInfo.InvariantCulture));
        var hostPid = int.Parse(args.ElementAtOrDefault(4) ?? "0", System.Globalization.CultureInfo.InvariantCulture);

        var (tenantId, token) = await NewTenantAsync(http, providerToken);
        var leadId = await CreateLeadAsync(http, baseUrl, token) ?? throw new InvalidOperationException("POST /api/v1/leads failed before the bench.");
        var tokenHash = SHA256.HashData(Encoding.UTF8.GetBytes(token));

        await using var dataSource = NpgsqlDataSource.Create(configuration["Postgres:AppConnectionString"]!);
        var (bareApp, bareUrl) = await StartBareAsync(dataSource, tenantId, tokenHash);

        Console.WriteLine($"{"",-44} {"StreamFlow",-40} {"bare endpoint",-40} ratio");
        await CompareAsync("authenticated GET /api/v1/leads/{id}, 32 conns",
            client => SendAsync(client, HttpMethod.Get, $"{baseUrl}/api/v1/leads/{leadId}", token),
            client => SendAsync(client, HttpMethod.Get, $"{bareUrl}/bare/leads/{leadId}", token), 32, duration);
        await CompareAsync("POST /api/v1/leads, 16 conns",
            client => SendAsync(client, HttpMethod.Post, $"{baseUrl}/api/v1/leads", token),
            client => SendAsync(client, HttpMethod.Post, $"{bareUrl}/bare/leads", token), 16, duration);
        await CompareAsync("POST /api/v1/leads, 1 conn",
            client => SendAsync(client, HttpMethod.Post, $"{baseUrl}/api/v1/leads", token),
            client => SendAsync(client, HttpMethod.Post, $"{bareUrl}/bare/leads", token), 1, duration);
        await bareApp.StopAsync();
        if (mixedDuration == TimeSpan.Zero)
        {
            return; // the comparisons alone (bench/api/run.sh SECONDS 0)
        }

        if (hostPid > 0)
        {
            ApiBenchWork.ResetPeak(hostPid);
        }

        await MixedAsync(baseUrl, token, leadId, mixedDuration);
        if (hostPid > 0)
        {
            Console.WriteLine($"host peak working set during the mixed load (VmHWM): {ApiBenchWork.PeakMb(hostPid, "VmHWM"):0} MB (target ≤ 1024 MB)");
        }

        if (args.ElementAtOrDefault(5) is { } trainCsv && hostPid > 0)
        {
            var soak = TimeSpan.FromSeconds(int.Parse(args.ElementAtOrDefault(6) ?? "0", System.Globalization.CultureInfo.InvariantCulture));
            await ApiBenchWork.RunAsync(http, baseUrl, token, trainCsv, hostPid, soak);
        }
    }

    /// <summary>
    /// Round trips to PostgreSQL per request, StreamFlow next to the bare endpoint: both connect through
    /// bench/api/pg_round_trips.py, which counts every Sync and simple Query into <paramref name="countFile"/>. The host's
    /// background traffic, measured while idle, is taken off.
    /// </summary>
    public static async Task RoundTripsAsync(HttpClient http, string baseUrl, string providerToken, IConfiguration configuration, string countFile, int requests)
    {
        var (tenantId, token) = await NewTenantAsync(http, providerToken);
        var leadId = await CreateLeadAsync(http, baseUrl, token) ?? throw new InvalidOperationException("POST /api/v1/leads failed before the bench.");
        await using var dataSource = NpgsqlDataSource.Create(configuration["Postgres:AppConnectionString"]!);
        var (bareApp, bareUrl) = await StartBareAsync(dataSource, tenantId, SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        using var client = new HttpClient();
        var idleStart = await CountAsync(countFile);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var idlePerSecond = (await CountAsync(countFile) - idleStart) / 3.0;
        var flip = 0;
        var kinds = new (string Name, Func<Task<bool>> Send)[]
        {
            ("authenticated GET /api/v1/leads/{id}", () => SendAsync(client, HttpMethod.Get, $"{baseUrl}/api/v1/leads/{leadId}", token)),
            ("bare GET (tenant, session, row)", () => SendAsync(client, HttpMethod.Get, $"{bareUrl}/bare/leads/{leadId}", token)),
            ("POST /api/v1/leads (scored in the 201)", () => SendAsync(client, HttpMethod.Post, $"{baseUrl}/api/v1/leads", token)),
            ("bare POST (tenant, session, insert)", () => SendAsync(client, HttpMethod.Post, $"{bareUrl}/bare/leads", token)),
            ("PATCH /api/v1/leads/{id} (re-scored)", () => PatchAsync(client, $"{baseUrl}/api/v1/leads/{leadId}", token, ++flip % 2 == 0 ? "Reference" : "Website")),
            ("GET /api/v1/leads?source=&stage=&limit=20", () => SendAsync(client, HttpMethod.Get, $"{baseUrl}/api/v1/leads?source=Reference&stage=new&limit=20", token)),
        };
        Console.WriteLine($"round trips to PostgreSQL per request ({requests} sequential requests each; idle background {idlePerSecond:0.0}/s taken off)");
        foreach (var (name, send) in kinds)
        {
            for (var i = 0; i < 5; i++)
            {
                await send();
            }

            var before = await CountAsync(countFile);
            var stopwatch = Stopwatch.StartNew();
            var failed = 0;
            for (var i = 0; i < requests; i++)
            {
                failed += await send() ? 0 : 1;
            }

            var elapsed = stopwatch.Elapsed.TotalSeconds;
            var counted = await CountAsync(countFile) - before;
            Console.WriteLine($"  {name,-44} {(counted - idlePerSecond * elapsed) / requests,5:0.0}{(failed > 0 ? $"  ({failed} failed)" : "")}");
        }

        await bareApp.StopAsync();
    }

    private static async Task<long> CountAsync(string countFile)
    {
        await Task.Delay(200);
        return long.Parse(await File.ReadAllTextAsync(countFile), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<bool> PatchAsync(HttpClient client, string url, string token, string source)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, url) { Content = JsonContent.Create(new { source }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        return response.IsSuccessStatusCode;
    }

    private static async Task<(WebApplication App, string Url)> StartBareAsync(NpgsqlDataSource dataSource, Guid tenantId, byte[] tokenHash)
    {
        var bare = WebApplication.CreateSlimBuilder();
        bare.Logging.ClearProviders();
        bare.WebHost.UseUrls("http://127.0.0.1:0");
        var bareApp = bare.Build();
        bareApp.MapGet("/bare/leads/{id:guid}", async (Guid id) =>
        {
            await using var command = dataSource.CreateCommand(BareReadSql);
            command.Parameters.AddWithValue("t", tenantId.ToString());
            command.Parameters.AddWithValue("h", tokenHash);
            command.Parameters.AddWithValue("id", id);
            return Results.Text(await LastScalarAsync(command), "application/json");
        });
        bareApp.MapPost("/bare/leads", async () =>
        {
            await using var command = dataSource.CreateCommand(BareInsertSql);
            command.Parameters.AddWithValue("t", tenantId.ToString());
            command.Parameters.AddWithValue("h", tokenHash);
            command.Parameters.AddWithValue("id", Guid.CreateVersion7());
            return Results.Json(new { id = await LastScalarAsync(command) }, statusCode: 201);
        });
        await bareApp.StartAsync();
        return (bareApp, bareApp.Urls.First());
    }

    private static async Task CompareAsync(string name, Func<HttpClient, Task<bool>> streamFlow, Func<HttpClient, Task<bool>> bare, int concurrency, TimeSpan duration)
    {
        var ours = await LoadRun.RunAsync("StreamFlow", streamFlow, concurrency, duration);
        var theirs = await LoadRun.RunAsync("bare", bare, concurrency, duration);
        Console.WriteLine($"{name,-44} {Brief(ours),-40} {Brief(theirs),-40} {ours.RequestsPerSecond / theirs.RequestsPerSecond:0.00}");
    }

    private static string Brief(LoadResult result) =>
        $"{result.RequestsPerSecond:0} req/s, p50 {result.P50Ms:0.0} ms{(result.Failures > 0 ? $", {result.Failures} failed" : "")}";

    private static async Task MixedAsync(string baseUrl, string token, Guid leadId, TimeSpan duration)
    {
        const int connections = 200;
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections }) { Timeout = TimeSpan.FromSeconds(30) };
        var latencies = new List<double>[connections];
        long non2xx = 0, serverErrors = 0, connectionErrors = 0;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async worker =>
        {
            latencies[worker] = [];
            var random = new Random(worker);
            while (stopwatch.Elapsed < duration)
            {
                var pick = random.Next(10);
                using var request = pick switch
                {
                    < 6 => Request(HttpMethod.Get, $"{baseUrl}/api/v1/leads/{leadId}", token),
                    < 8 => Request(HttpMethod.Post, $"{baseUrl}/api/v1/leads", token),
                    _ => Request(HttpMethod.Get, $"{baseUrl}/api/v1/leads?source=Reference&stage=new&limit=20", token),
                };
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.SendAsync(request);
                    var status = (int)response.StatusCode;
                    if (status is < 200 or > 299)
                    {
                        Interlocked.Increment(ref non2xx);
                    }

                    if (status >= 500)
                    {
                        Interlocked.Increment(ref serverErrors);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref connectionErrors);
                }
                catch (TaskCanceledException)
                {
                    Interlocked.Increment(ref connectionErrors);
                }

                latencies[worker].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        var all = latencies.SelectMany(l => l).Order().ToArray();
        Console.WriteLine($"mixed load, {connections} conns, {duration.TotalSeconds:0} s (60 % GET lead, 20 % POST lead, 20 % filtered list): "
            + $"{all.Length / stopwatch.Elapsed.TotalSeconds:0} req/s, p50 {LoadRun.Percentile(all, 0.5):0.0} ms, p99 {LoadRun.Percentile(all, 0.99):0.0} ms, "
            + $"non-2xx {non2xx} (5xx {serverErrors}), connection errors {connectionErrors} (target 0 5xx, 0 connection errors)");
    }

    private static async Task<string> LastScalarAsync(NpgsqlCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync();
        string last = "";
        do
        {
            while (await reader.ReadAsync())
            {
                last = reader.GetValue(0).ToString() ?? "";
            }
        }
        while (await reader.NextResultAsync());
        return last;
    }

    private static HttpRequestMessage Request(HttpMethod method, string url, string token)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (method == HttpMethod.Post)
        {
            request.Content = JsonContent.Create(new { firstName = "Dana", source = "Reference" });
        }

        return request;
    }

    private static async Task<bool> SendAsync(HttpClient client, HttpMethod method, string url, string token)
    {
        using var request = Request(method, url, token);
        using var response = await client.SendAsync(request);
        return response.IsSuccessStatusCode;
    }

    private static async Task<Guid?> CreateLeadAsync(HttpClient http, string baseUrl, string token)
    {
        using var request = Request(HttpMethod.Post, $"{baseUrl}/api/v1/leads", token);
        using var response = await http.SendAsync(request);
        return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid() : null;
    }

    internal static async Task<(Guid TenantId, string Token)> NewTenantAsync(HttpClient http, string providerToken)
    {
        var slug = $"api-{Guid.NewGuid():N}"[..18];
        const string password = "bench password long enough";
        Guid tenantId;
        using (var create = new HttpRequestMessage(HttpMethod.Post, "/api/v1/provider/tenants"))
        {
            create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", providerToken);
            create.Content = JsonContent.Create(new { name = "API bench", slug, industry = "hvac", owner = new { email = $"owner@{slug}.example.com", name = "Bench Owner", password } });
            using var created = await http.SendAsync(create);
            created.EnsureSuccessStatusCode();
            tenantId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        }

        using (var limits = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/provider/tenants/{tenantId}/rate-limits"))
        {
            limits.Headers.Authorization = new AuthenticationHeaderValue("Bearer", providerToken);
            limits.Content = JsonContent.Create(new { requestsPerMinute = 100000, userRequestsPerMinute = 100000 });
            (await http.SendAsync(limits)).EnsureSuccessStatusCode();
        }

        using var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { tenant = slug, email = $"owner@{slug}.example.com", password });
        login.EnsureSuccessStatusCode();
        return (tenantId, (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!);
    }
}
