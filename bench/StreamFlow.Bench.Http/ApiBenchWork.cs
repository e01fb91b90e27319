using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace StreamFlow.Bench.Http;

/// <summary>
/// The rest of issue #19's figures, after the load table: lead created → AI re-score visible (AI on, against the fake
/// OpenAI server bench/api/run.sh starts), the training file imported until every lead is scored, a 100,000-row import
/// with the host's peak working set during it, and a soak showing the host's memory over time under a steady load.
/// </summary>
internal static class ApiBenchWork
{
    public static async Task RunAsync(HttpClient http, string baseUrl, string token, string trainCsvPath, int hostPid, TimeSpan soak)
    {
        await AiRescoreAsync(http, baseUrl, token, 30);
        await SetAiAsync(http, token, false);
        var train = await File.ReadAllTextAsync(trainCsvPath);
        var (trainTime, trainRows) = await ImportAsync(http, token, train);
        Console.WriteLine($"import of {Path.GetFileName(trainCsvPath)} until every lead is scored: {trainTime.TotalSeconds:0.0} s ({trainRows:N0} rows; target < 20 s)");

        ResetPeak(hostPid);
        var (bigTime, bigRows) = await ImportAsync(http, token, Repeat(train, 100_000));
        Console.WriteLine($"import of {bigRows:N0} rows until every lead is scored: {bigTime.TotalSeconds:0.0} s; host peak working set during it: {PeakMb(hostPid, "VmHWM"):0} MB (target ≤ 1024 MB)");

        if (soak > TimeSpan.Zero)
        {
            await SoakAsync(baseUrl, token, hostPid, soak);
        }
    }

    /// <summary>Peak RSS since the last reset (writing 5 to clear_refs resets VmHWM), so each phase reports its own peak.</summary>
    public static void ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Console.WriteLine($"(could not reset the host's peak working set: {exception.Message}; peaks below are since start)");
        }
    }

    public static double PeakMb(int pid, string field) =>
        File.ReadLines($"/proc/{pid}/status").Where(line => line.StartsWith(field + ":", StringComparison.Ordinal))
            .Select(line => double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024)
            .FirstOrDefault();

    private static async Task AiRescoreAsync(HttpClient http, string baseUrl, string token, int leads)
    {
        await SetAiAsync(http, token, true);
        var latencies = new List<double>();
        var missed = 0;
        for (var i = 0; i < leads; i++)
        {
            using var create = Authorized(HttpMethod.Post, $"{baseUrl}/api/v1/leads", token);
            create.Content = JsonContent.Create(new { firstName = "Ari", company = "Ari's Heating", source = "Reference", email = $"ai{Guid.NewGuid():N}@example.com" });
            var started = Stopwatch.GetTimestamp();
            using var created = await http.SendAsync(create);
            created.EnsureSuccessStatusCode();
            var body = await created.Content.ReadFromJsonAsync<JsonElement>();
            var id = body.GetProperty("id").GetGuid();
            var firstScoredAt = body.GetProperty("score").GetProperty("scoredAt").GetString();
            var rescored = false;
            while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(30))
            {
                using var read = Authorized(HttpMethod.Get, $"{baseUrl}/api/v1/leads/{id}", token);
                using var response = await http.SendAsync(read);
                var lead = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (lead.GetProperty("score").GetProperty("scoredAt").GetString() != firstScoredAt)
                {
                    rescored = true;
                    break;
                }

                await Task.Delay(20);
            }

            if (rescored)
            {
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            else
            {
                missed++;
            }
        }

        var sorted = latencies.Order().ToArray();
        Console.WriteLine($"lead created → AI re-score visible (AI on, fake OpenAI server), {leads} leads one after another: "
            + $"p50 {LoadRun.Percentile(sorted, 0.5):0} ms, p90 {LoadRun.Percentile(sorted, 0.9):0} ms{(missed > 0 ? $", {missed} not re-scored within 30 s" : "")} (target p50 < 2 s)");
    }

    private static async Task SetAiAsync(HttpClient http, string token, bool enabled)
    {
        using var settings = Authorized(HttpMethod.Put, "/api/v1/scoring/settings", token);
        settings.Content = JsonContent.Create(new { aiEnabled = enabled });
        (await http.SendAsync(settings)).EnsureSuccessStatusCode();
    }

    private static async Task<(TimeSpan Elapsed, int Rows)> ImportAsync(HttpClient http, string token, string csv)
    {
        var stopwatch = Stopwatch.StartNew();
        using var request = Authorized(HttpMethod.Post, "/api/v1/leads/import?externalIdColumn=Prospect%20ID&outcomeColumn=Converted", token);
        request.Content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using var accepted = await http.SendAsync(request);
        accepted.EnsureSuccessStatusCode();
        var statusUrl = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("statusUrl").GetString()!;
        while (true)
        {
            await Task.Delay(200);
            using var read = Authorized(HttpMethod.Get, statusUrl, token);
            using var response = await http.SendAsync(read);
            var status = await response.Content.ReadFromJsonAsync<JsonElement>();
            var state = status.GetProperty("status").GetString();
            if (state is "completed" or "failed")
            {
                // A chunk's leads are scored in the chunk's own step: completed means every good row is scored.
                return (stopwatch.Elapsed, status.GetProperty("processed").GetInt32());
            }
        }
    }

    /// <summary>The training file's rows again and again with fresh ids, up to <paramref name="rows"/>.</summary>
    private static string Repeat(string csv, int rows)
    {
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0];
        var idColumn = header.Split(',').ToList().IndexOf("Prospect ID");
        var builder = new StringBuilder(header).Append('\n');
        for (var i = 0; i < rows; i++)
        {
            var line = lines[1 + (i % (lines.Length - 1))];
            // The id is the first column of the training file; a fresh one makes each repeat a new lead.
            builder.Append(idColumn == 0 ? $"bench-{i}{line[line.IndexOf(',', StringComparison.Ordinal)..]}" : line).Append('\n');
        }

        return builder.ToString();
    }

    private static async Task SoakAsync(string baseUrl, string token, int hostPid, TimeSpan duration)
    {
        const int connections = 32;
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections }) { Timeout = TimeSpan.FromSeconds(30) };
        var stopwatch = Stopwatch.StartNew();
        long requests = 0, failures = 0;
        var samples = new List<(double Minutes, double RssMb)>();
        var sampler = Task.Run(async () =>
        {
            while (stopwatch.Elapsed < duration)
            {
                samples.Add((stopwatch.Elapsed.TotalMinutes, PeakMb(hostPid, "VmRSS")));
                await Task.Delay(TimeSpan.FromSeconds(15));
            }
        });
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async worker =>
        {
            var random = new Random(worker);
            while (stopwatch.Elapsed < duration)
            {
                var create = random.Next(10) < 3;
                using var request = Authorized(create ? HttpMethod.Post : HttpMethod.Get,
                    create ? $"{baseUrl}/api/v1/leads" : $"{baseUrl}/api/v1/leads?source=Reference&limit=20", token);
                if (create)
                {
                    request.Content = JsonContent.Create(new { firstName = "Soak", source = "Reference" });
                }

                try
                {
                    using var response = await client.SendAsync(request);
                    Interlocked.Increment(ref requests);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));
        await sampler;
        Console.WriteLine($"soak, {duration.TotalMinutes:0.#} min at {connections} conns (70 % filtered list, 30 % POST lead): {requests / stopwatch.Elapsed.TotalSeconds:0} req/s, {failures} failed; host RSS every 15 s (MB):");
        Console.WriteLine("  " + string.Join(" ", samples.Select(s => $"{s.RssMb:0}")));
        var warm = samples.Where(s => s.Minutes >= Math.Min(1, duration.TotalMinutes / 3)).ToList();
        if (warm.Count >= 2)
        {
            Console.WriteLine($"  after warm-up: first {warm[0].RssMb:0} MB, last {warm[^1].RssMb:0} MB, max {warm.Max(s => s.RssMb):0} MB");
        }

    }

    private static HttpRequestMessage Authorized(HttpMethod method, string url, string token)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
