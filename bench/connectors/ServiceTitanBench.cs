using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.IntegrationTests.Connectors;

/// <summary>
/// ServiceTitan import (issue #14), printed, never asserted: the standalone host imports N customers (each with a
/// location) and M jobs from the fake of ServiceTitan's paged v2 APIs; total time and the host's memory sampled every
/// half second (flat means the last quarter's average is about the first's). Baseline in the same run: the same pages
/// read straight from the fake and parsed, nothing stored.
/// </summary>
internal static class ServiceTitanBench
{
    public static async Task RunAsync(string hostDll, int apiPort, int fakePort, int customers, int jobs, int pageSize, Func<HttpClient, Task<string>> ownerToken)
    {
        using var st = new ServiceTitanFake(customers, jobs, fakePort);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}"), Timeout = TimeSpan.FromMinutes(2) };
        var baseline = await BaselineAsync(st, pageSize);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"baseline: {customers} customers + {customers} locations + {jobs} jobs paged from the fake directly ({pageSize} a page, parsed, nothing stored) in {baseline:0.0} s"));

        var start = new ProcessStartInfo("dotnet", [hostDll]) { WorkingDirectory = Path.GetDirectoryName(hostDll)!, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["Connectors__ServiceTitan__BaseUrl"] = st.Url;
        start.Environment["Connectors__ServiceTitan__TokenUrl"] = $"{st.Url}/connect/token";
        start.Environment["Connectors__ServiceTitan__PageSize"] = pageSize.ToString(CultureInfo.InvariantCulture);
        using var host = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        using var hostLog = Environment.GetEnvironmentVariable("STREAMFLOW_BENCH_HOST_LOG") is { Length: > 0 } logPath ? TextWriter.Synchronized(new StreamWriter(logPath) { AutoFlush = true }) : null;
        host.OutputDataReceived += (_, line) => hostLog?.WriteLine(line.Data);
        host.ErrorDataReceived += (_, line) => hostLog?.WriteLine(line.Data);
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        try
        {
            await WaitHealthyAsync(http);
            var token = await ownerToken(http);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var created = await http.PostAsJsonAsync("/api/v1/connections", new
            {
                kind = "servicetitan", name = "Bench ST", schedule = "manual", settings = new { tenantId = ServiceTitanFake.Tenant },
                credentials = new { clientId = ServiceTitanFake.ClientId, clientSecret = ServiceTitanFake.ClientSecret, appKey = ServiceTitanFake.AppKey },
            });
            created.EnsureSuccessStatusCode();
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
            host.Refresh();
            var idle = host.WorkingSet64;
            var (hostCpu, postgresCpu) = (host.TotalProcessorTime, PostgresCpu());
            var clock = Stopwatch.StartNew();
            using var accepted = await http.PostAsync($"/api/v1/connections/{id}/syncs", null);
            accepted.EnsureSuccessStatusCode();
            var statusUrl = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("statusUrl").GetString()!;
            var samples = new List<long>();
            JsonElement sync;
            do
            {
                await Task.Delay(500);
                host.Refresh();
                samples.Add(host.WorkingSet64);
                using var poll = await http.GetAsync(statusUrl);
                sync = await poll.Content.ReadFromJsonAsync<JsonElement>();
            }
            while (sync.GetProperty("status").GetString() is "pending" or "running" && clock.Elapsed < TimeSpan.FromMinutes(30));

            var seconds = clock.Elapsed.TotalSeconds;
            host.Refresh();
            var hostCpuSeconds = (host.TotalProcessorTime - hostCpu).TotalSeconds;
            var postgresCpuSeconds = PostgresCpu() - postgresCpu;
            var quarter = Math.Max(1, samples.Count / 4);
            double Mb(double bytes) => bytes / 1024 / 1024;
            var first = samples.Take(quarter).Average();
            var last = samples.Skip(samples.Count - quarter).Average();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"sync: {sync.GetProperty("status").GetString()} in {seconds:0.0} s — pages {sync.GetProperty("pages")}, items {sync.GetProperty("itemsSeen")}, leads created {sync.GetProperty("leadsCreated")}, updated {sync.GetProperty("leadsUpdated")}, failed {sync.GetProperty("itemsFailed")}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"host memory (working set): idle {Mb(idle):0} MB; during the sync first quarter avg {Mb(first):0} MB, last quarter avg {Mb(last):0} MB, max {Mb(samples.Max()):0} MB ({samples.Count} samples)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"CPU over the sync: host {hostCpuSeconds:0.0} s, PostgreSQL {(postgresCpuSeconds is { } pg ? pg.ToString("0.0", CultureInfo.InvariantCulture) + " s" : "not measured (no STREAMFLOW_BENCH_PG_PID)")}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"FIGURE servicetitan-import-{customers}-customers-{jobs}-jobs-s {seconds:0.0} (target < 120; baseline fake-only {baseline:0.0} s)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"FIGURE servicetitan-import-memory-growth-mb {Mb(last - first):0} (first quarter {Mb(first):0} MB, last quarter {Mb(last):0} MB)"));
        }
        finally
        {
            if (!host.HasExited)
            {
                host.Kill(entireProcessTree: true);
                await host.WaitForExitAsync();
            }
        }
    }

    private static async Task<double> BaselineAsync(ServiceTitanFake st, int pageSize)
    {
        using var client = new HttpClient { BaseAddress = new Uri(st.Url) };
        using var token = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = ServiceTitanFake.ClientId, ["client_secret"] = ServiceTitanFake.ClientSecret,
        }));
        var access = (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        client.DefaultRequestHeaders.Add("ST-App-Key", ServiceTitanFake.AppKey);
        var watch = Stopwatch.StartNew();
        foreach (var path in new[] { "crm/v2/tenant/{0}/customers", "crm/v2/tenant/{0}/locations", "jpm/v2/tenant/{0}/jobs" })
        {
            for (var page = 1; ; page++)
            {
                using var response = await client.GetAsync($"/{string.Format(CultureInfo.InvariantCulture, path, ServiceTitanFake.Tenant)}?page={page}&pageSize={pageSize}");
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (!body.GetProperty("hasMore").GetBoolean())
                {
                    break;
                }
            }
        }

        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// CPU seconds of the bench's PostgreSQL (STREAMFLOW_BENCH_PG_PID, the postmaster): its own, its ended children's
    /// (cutime/cstime) and its live backends', from /proc; null where that cannot be read.
    /// </summary>
    private static double? PostgresCpu()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("STREAMFLOW_BENCH_PG_PID"), out var postmaster) || !File.Exists($"/proc/{postmaster}/stat"))
        {
            return null;
        }

        static long[] Ticks(int pid)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                return [.. stat[(stat.LastIndexOf(')') + 2)..].Split(' ').Skip(11).Take(4).Select(long.Parse)];
            }
            catch (IOException)
            {
                return [0, 0, 0, 0];
            }
        }

        var own = Ticks(postmaster);
        var children = File.ReadAllText($"/proc/{postmaster}/task/{postmaster}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse);
        var ticks = own.Sum() + children.Sum(child => Ticks(child).Take(2).Sum());
        return ticks / 100.0; // USER_HZ
    }

    private static async Task WaitHealthyAsync(HttpClient http)
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
}
