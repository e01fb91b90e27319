using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace StreamFlow.Bench.Http;

/// <summary>
/// The lead-scoring quality figures as a user would get them: train.csv through the import and train routes,
/// holdout.csv imported without its Converted column, the scores read back over HTTP and compared with the truth.
/// holdout.csv is used for this measurement only.
/// </summary>
internal static class ScoringEvaluation
{
    public static async Task RunAsync(HttpClient http, string providerToken, string dataFolder)
    {
        var slug = $"eval-{Guid.NewGuid():N}"[..18];
        var token = await TenantSetup.CreateAsync(http, providerToken, slug);
        var train = await File.ReadAllTextAsync(Path.Combine(dataFolder, "train.csv"));
        var holdoutLines = await File.ReadAllLinesAsync(Path.Combine(dataFolder, "holdout.csv"));

        var started = Stopwatch.GetTimestamp();
        var imported = await ImportAsync(http, token, train, "Prospect ID", "Converted");
        Console.WriteLine($"import of train.csv ({imported.GetProperty("processed").GetInt32()} rows) until every lead is scored: {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s (target < 60 s)");

        started = Stopwatch.GetTimestamp();
        using (var request = Authorized(HttpMethod.Post, "/api/v1/scoring/model/train", token))
        using (var response = await http.SendAsync(request))
        {
            var statusUrl = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("statusUrl").GetString()!;
            var run = await PollAsync(http, token, statusUrl, s => s.GetProperty("status").GetString() != "training");
            Console.WriteLine($"training: {run.GetProperty("status").GetString()} in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s, validation AUC {run.GetProperty("auc").GetDouble():0.0000}");
        }

        var (blind, truth) = WithoutColumn(holdoutLines, "Converted", "Prospect ID");
        await ImportAsync(http, token, blind, "Prospect ID", null);
        var scores = await ReadScoresAsync(http, token);
        var rows = truth.Where(t => scores.ContainsKey(t.Key)).Select(t => (Score: scores[t.Key], Converted: t.Value)).ToList();
        var auc = Auc(rows.Select(r => r.Score.Probability).ToList(), rows.Select(r => r.Converted).ToList());
        var hot = rows.Where(r => r.Score.Tier == "hot").ToList();
        var ranked = rows.OrderByDescending(r => r.Score.Probability).ToList();
        var conversions = rows.Count(r => r.Converted);
        double Capture(double share) => ranked.Take((int)Math.Round(share * ranked.Count)).Count(r => r.Converted) / (double)conversions;
        Console.WriteLine($"holdout.csv scored through the API: {rows.Count} leads, {conversions} converted");
        Console.WriteLine($"  AUC {auc:0.0000} (naive Bayes 0.870, logistic regression 0.898, gradient boosting 0.905; target >= 0.90)");
        Console.WriteLine($"  hot tier: {hot.Count} leads ({hot.Count / (double)rows.Count:P1}), {hot.Count(r => r.Converted) / (double)Math.Max(1, hot.Count):P1} converted (target >= 85 %)");
        Console.WriteLine($"  conversions captured in the top 20 %: {Capture(0.2):P1}, top 40 %: {Capture(0.4):P1}");

        var latencies = new List<double>();
        for (var i = 0; i < 15; i++)
        {
            var leadStarted = Stopwatch.GetTimestamp();
            using var create = Authorized(HttpMethod.Post, "/api/v1/leads", token);
            create.Content = JsonContent.Create(new { firstName = $"Latency {i}", source = "Google", attributes = new Dictionary<string, object> { ["TotalVisits"] = i } });
            using var created = await http.SendAsync(create);
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
            await PollAsync(http, token, $"/api/v1/leads/{id}", lead => lead.GetProperty("scoreStatus").GetString() != "pending", pollMs: 20);
            latencies.Add(Stopwatch.GetElapsedTime(leadStarted).TotalMilliseconds);
        }

        var sorted = latencies.Order().ToArray();
        Console.WriteLine($"one lead created -> scored (and routed): p50 {LoadRun.Percentile(sorted, 0.5):0} ms, max {sorted[^1]:0} ms (target p50 < 2 s)");
    }

    private static (string Csv, Dictionary<string, bool> Truth) WithoutColumn(string[] lines, string dropped, string idColumn)
    {
        var header = SplitCsv(lines[0]);
        var drop = header.IndexOf(dropped);
        var id = header.IndexOf(idColumn);
        var truth = new Dictionary<string, bool>();
        var csv = new StringBuilder();
        foreach (var (line, index) in lines.Select((l, i) => (l, i)))
        {
            var cells = SplitCsv(line);
            if (index > 0)
            {
                truth[cells[id]] = cells[drop] == "1";
            }

            cells.RemoveAt(drop);
            csv.AppendLine(string.Join(',', cells.Select(c => c.Contains(',', StringComparison.Ordinal) || c.Contains('"', StringComparison.Ordinal) ? $"\"{c.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : c)));
        }

        return (csv.ToString(), truth);
    }

    private static List<string> SplitCsv(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                cell.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }

    private static async Task<Dictionary<string, (double Probability, string Tier)>> ReadScoresAsync(HttpClient http, string token)
    {
        var scores = new Dictionary<string, (double, string)>();
        string? cursor = null;
        do
        {
            using var request = Authorized(HttpMethod.Get, $"/api/v1/leads?limit=500{(cursor is null ? "" : $"&cursor={cursor}")}", token);
            using var response = await http.SendAsync(request);
            var page = await response.Content.ReadFromJsonAsync<JsonElement>();
            foreach (var lead in page.GetProperty("items").EnumerateArray())
            {
                if (lead.GetProperty("outcome").ValueKind == JsonValueKind.Null && lead.GetProperty("score") is { ValueKind: JsonValueKind.Object } score
                    && lead.GetProperty("externalId").GetString() is { } externalId)
                {
                    var probability = score.GetProperty("probability").ValueKind == JsonValueKind.Number ? score.GetProperty("probability").GetDouble() : score.GetProperty("value").GetDouble() / 100;
                    scores[externalId] = (probability, score.GetProperty("tier").GetString()!);
                }
            }

            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return scores;
    }

    private static async Task<JsonElement> ImportAsync(HttpClient http, string token, string csv, string idColumn, string? outcomeColumn)
    {
        var query = $"?externalIdColumn={Uri.EscapeDataString(idColumn)}" + (outcomeColumn is null ? "" : $"&outcomeColumn={Uri.EscapeDataString(outcomeColumn)}");
        using var request = Authorized(HttpMethod.Post, "/api/v1/leads/import" + query, token);
        request.Content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var statusUrl = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("statusUrl").GetString()!;
        return await PollAsync(http, token, statusUrl, s => s.GetProperty("status").GetString() is "completed" or "failed");
    }

    private static async Task<JsonElement> PollAsync(HttpClient http, string token, string url, Func<JsonElement, bool> done, int pollMs = 250)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
        while (DateTime.UtcNow < deadline)
        {
            using var request = Authorized(HttpMethod.Get, url, token);
            using var response = await http.SendAsync(request);
            var status = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (done(status))
            {
                return status;
            }

            await Task.Delay(pollMs);
        }

        throw new TimeoutException($"{url} did not finish.");
    }

    private static HttpRequestMessage Authorized(HttpMethod method, string path, string token)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static double Auc(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        var ranked = scores.Select((s, i) => (Score: s, Positive: positive[i])).OrderBy(p => p.Score).ToList();
        double rankSum = 0;
        var i = 0;
        while (i < ranked.Count)
        {
            var j = i;
            while (j + 1 < ranked.Count && ranked[j + 1].Score == ranked[i].Score)
            {
                j++;
            }

            var averageRank = (i + j + 2) / 2.0;
            for (var k = i; k <= j; k++)
            {
                if (ranked[k].Positive)
                {
                    rankSum += averageRank;
                }
            }

            i = j + 1;
        }

        var positives = ranked.Count(p => p.Positive);
        var negatives = ranked.Count - positives;
        return (rankSum - (positives * (positives + 1) / 2.0)) / (positives * (double)negatives);
    }
}

/// <summary>A client business for a bench run, with rate limits lifted: the bench measures the work, not the limiter.</summary>
internal static class TenantSetup
{
    public const string Password = "bench password long enough";

    public static async Task<string> CreateAsync(HttpClient http, string providerToken, string slug)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/v1/provider/tenants");
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", providerToken);
        create.Content = JsonContent.Create(new { name = "Bench", slug, industry = "general", owner = new { email = $"owner@{slug}.example.com", name = "Bench Owner", password = Password } });
        using var created = await http.SendAsync(create);
        created.EnsureSuccessStatusCode();
        var tenantId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using var limits = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/provider/tenants/{tenantId}/rate-limits");
        limits.Headers.Authorization = new AuthenticationHeaderValue("Bearer", providerToken);
        limits.Content = JsonContent.Create(new { requestsPerMinute = 100000, userRequestsPerMinute = 100000 });
        (await http.SendAsync(limits)).EnsureSuccessStatusCode();
        using var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { tenant = slug, email = $"owner@{slug}.example.com", password = Password });
        login.EnsureSuccessStatusCode();
        return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }
}
