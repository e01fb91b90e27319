using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace StreamFlow.Bench.Sources;

/// <summary>
/// Web-form intake at a fixed rate (open loop: each submission is sent at its own time whether or not earlier ones
/// answered, and its latency counts from that time) through the standalone host, from many client addresses: the
/// host keys the per-address limit on the connection's address (it trusts no X-Forwarded-For), so each submission
/// comes on a new connection bound to the next address of 127.1.0.0/16, as distinct visitors' browsers would. Next to
/// it, the baseline: the plain authenticated POST /api/v1/leads at the same rate from the same addresses.
/// </summary>
internal static class WebFormBench
{
    private const string Origin = "https://www.bench.example";

    /// <summary>Each rate in turn (baseline, then the form), so that the rate the host sustains shows next to the target.</summary>
    public static async Task RunAsync(string baseUrl, IReadOnlyList<int> rates, int seconds)
    {
        ThreadPool.SetMinThreads(256, 256);
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(2) };
        var (token, formKey) = await SetUpAsync(http);
        // Each address sends at most 4 a minute at the highest rate, under the form's default limit of 5 per address.
        var addresses = Math.Min(65_536, Math.Max(256, rates.Max() * 60 / 4 * 2));
        using var client = VisitorClient(addresses);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rates {string.Join(", ", rates)}/s for {seconds} s each, {addresses} client addresses, a new connection per request; latency from each request's scheduled time"));
        var warmUp = await Open("warm-up", client, Math.Min(50, rates.Min()), 5, i => i % 2 == 0 ? LeadPost(baseUrl, token, $"w{i}") : FormPost(baseUrl, formKey, $"w{i}"));

        var results = new List<(int Rate, Outcome Baseline, Outcome Form)>();
        foreach (var rate in rates)
        {
            var baseline = await Open("baseline: POST /api/v1/leads", client, rate, seconds, i => LeadPost(baseUrl, token, $"b{rate}-{i}"));
            await Task.Delay(TimeSpan.FromSeconds(5));
            var form = await Open("POST /api/v1/forms/{key}/submissions", client, rate, seconds, i => FormPost(baseUrl, formKey, $"f{rate}-{i}"));
            await Task.Delay(TimeSpan.FromSeconds(5));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"at {rate}/s:"));
            Console.WriteLine("  " + baseline);
            Console.WriteLine("  " + form);
            results.Add((rate, baseline, form));
        }

        var stored = await CountAsync(http, token, "Web form");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"leads stored by the form: {stored}; answered 2xx: {results.Sum(r => r.Form.Succeeded)}, and up to {warmUp.Succeeded} warm-up requests, half of them form posts (anything more stored than answered: the client gave up at 30 s on requests the host then finished)"));
        static bool Held(Outcome o) => o.Non2xx == 0 && o.Errors == 0 && o.P99 < 100;
        string Sustained(Func<(int Rate, Outcome Baseline, Outcome Form), Outcome> pick) =>
            results.Where(r => Held(pick(r))).Select(r => r.Rate).DefaultIfEmpty(0).Max() is var best && best > 0 ? $"{best}/s" : "none of the rates";
        foreach (var (rate, baseline, form) in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"FIGURE web-form-intake-at-{rate} {form.AchievedRate:0}/s 2xx p50 {form.P50:0.0} ms p99 {form.P99:0.0} ms non-2xx {form.Non2xx} errors {form.Errors} (baseline POST /api/v1/leads {baseline.AchievedRate:0}/s p50 {baseline.P50:0.0} ms p99 {baseline.P99:0.0} ms non-2xx {baseline.Non2xx} errors {baseline.Errors})"));
        }

        Console.WriteLine($"FIGURE web-form-intake-sustained (p99 < 100 ms, all 2xx) {Sustained(r => r.Form)}; baseline POST /api/v1/leads {Sustained(r => r.Baseline)} (target 500/s)");
    }

    private sealed record Outcome(string Name, int Sent, int Succeeded, int Non2xx, int Errors, double Seconds, double P50, double P99, string Statuses)
    {
        public double AchievedRate => Succeeded / Seconds;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Name,-40} {AchievedRate,6:0}/s 2xx   p50 {P50,7:0.0} ms   p99 {P99,7:0.0} ms   non-2xx {Non2xx}{Statuses}   errors {Errors}   (sent {Sent} in {Seconds:0.0} s)");
    }

    /// <summary>Sends <paramref name="rate"/> requests a second for <paramref name="seconds"/>, each at its scheduled time.</summary>
    private static async Task<Outcome> Open(string name, HttpClient client, int rate, int seconds, Func<int, HttpRequestMessage> request)
    {
        var total = rate * seconds;
        var latencies = new double[total];
        var statuses = new int[total];
        var tasks = new List<Task>(total);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var due = (double)i / rate;
            var ahead = due - Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (ahead > 0.001)
            {
                await Task.Delay(TimeSpan.FromSeconds(ahead));
            }

            var index = i;
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    using var response = await client.SendAsync(request(index));
                    statuses[index] = (int)response.StatusCode;
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    statuses[index] = -1;
                }

                latencies[index] = (Stopwatch.GetElapsedTime(start).TotalSeconds - (double)index / rate) * 1000;
            }));
        }

        await Task.WhenAll(tasks);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var sorted = latencies.Order().ToArray();
        var non2xx = statuses.Where(s => s is > 0 and (< 200 or > 299)).GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}").ToList();
        return new Outcome(name, total, statuses.Count(s => s is >= 200 and <= 299), statuses.Count(s => s is > 0 and (< 200 or > 299)), statuses.Count(s => s < 0),
            elapsed, Percentile(sorted, 0.50), Percentile(sorted, 0.99), non2xx.Count == 0 ? "" : $" ({string.Join(", ", non2xx)})");
    }

    private static double Percentile(double[] sorted, double quantile) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(quantile * sorted.Length) - 1)];

    private static HttpRequestMessage FormPost(string baseUrl, string formKey, string visitor)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/api/v1/forms/{formKey}/submissions")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["your_name"] = "Dana " + visitor, ["your_email"] = $"{visitor}@visitors.example.com", ["your_zip"] = "22201",
                ["message"] = "My furnace stopped working this morning.", ["website"] = "",
            }),
        };
        request.Headers.TryAddWithoutValidation("Origin", Origin);
        return request;
    }

    private static HttpRequestMessage LeadPost(string baseUrl, string token, string visitor)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/api/v1/leads")
        {
            Content = JsonContent.Create(new
            {
                firstName = "Dana " + visitor, email = $"{visitor}@visitors.example.com", postalCode = "22201",
                notes = "My furnace stopped working this morning.", source = "Website",
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>A client whose every request is a new connection from the next address of 127.1.0.0/16.</summary>
    private static HttpClient VisitorClient(int addresses)
    {
        var next = -1;
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            ConnectCallback = async (context, cancellationToken) =>
            {
                var n = (uint)Interlocked.Increment(ref next) % (uint)addresses;
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(new IPAddress([127, 1, (byte)(n >> 8), (byte)n]), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30), DefaultRequestHeaders = { ConnectionClose = true } };
    }

    private static async Task<(string Token, string FormKey)> SetUpAsync(HttpClient http)
    {
        using var provider = await http.PostAsJsonAsync("/api/v1/provider/auth/login", new
        {
            email = Environment.GetEnvironmentVariable("STREAMFLOW_PROVIDER_EMAIL"),
            password = Environment.GetEnvironmentVariable("STREAMFLOW_PROVIDER_PASSWORD"),
        });
        provider.EnsureSuccessStatusCode();
        var providerToken = (await provider.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        var slug = $"form-bench-{Guid.NewGuid():N}"[..20];
        const string password = "a long bench passphrase";
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/v1/provider/tenants")
        {
            Content = JsonContent.Create(new { name = "Web form bench", slug, industry = "hvac", owner = new { email = $"owner@{slug}.example.com", name = "Bench Owner", password } }),
        };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", providerToken);
        using var createdTenant = await http.SendAsync(create);
        createdTenant.EnsureSuccessStatusCode();
        var tenantId = (await createdTenant.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        // The baseline is an authenticated route under the tenant's and the user's limits; the form is under neither.
        using var limits = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/provider/tenants/{tenantId}/rate-limits")
        {
            Content = JsonContent.Create(new { requestsPerMinute = 100000, userRequestsPerMinute = 100000 }),
        };
        limits.Headers.Authorization = new AuthenticationHeaderValue("Bearer", providerToken);
        (await http.SendAsync(limits)).EnsureSuccessStatusCode();
        using var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { tenant = slug, email = $"owner@{slug}.example.com", password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;

        using var formCreate = new HttpRequestMessage(HttpMethod.Post, "/api/v1/lead-sources/web-forms")
        {
            Content = JsonContent.Create(new
            {
                name = "Contact us",
                fieldMap = new Dictionary<string, string> { ["your_name"] = "firstName", ["your_email"] = "email", ["your_zip"] = "postalCode", ["message"] = "notes" },
                allowedOrigins = new[] { Origin }, honeypotField = "website",
            }),
        };
        formCreate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var formCreated = await http.SendAsync(formCreate);
        formCreated.EnsureSuccessStatusCode();
        return (token, (await formCreated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("formKey").GetString()!);
    }

    private static async Task<int> CountAsync(HttpClient http, string token, string source)
    {
        var count = 0;
        string? cursor = null;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/leads?source={Uri.EscapeDataString(source)}&limit=500" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request);
            var page = await response.Content.ReadFromJsonAsync<JsonElement>();
            count += page.GetProperty("items").GetArrayLength();
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return count;
    }
}
