using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using StreamFlow.Bench.Scoring;
using StreamFlow.Core.Scoring.Model;

namespace StreamFlow.Bench.Http;

/// <summary>
/// The lead-scoring quality figures as a user would get them, by stratified k-fold cross-validation on train.csv
/// through the API: per fold a fresh client business imports the other folds with their Converted column, trains,
/// imports the held-out fold without it, and its scores are read back over HTTP and compared with the truth.
/// The folds are the in-process quality bench's (<see cref="StratifiedFolds"/>).
/// </summary>
internal static class ScoringEvaluation
{
    private const string ExternalIdColumn = "Prospect ID";
    private const string OutcomeColumn = "Converted";

    public static async Task RunAsync(HttpClient http, string providerToken, string dataFolder, int folds)
    {
        var lines = (await File.ReadAllLinesAsync(Path.Combine(dataFolder, "train.csv"))).Where(l => l.Length > 0).ToArray();
        var header = SplitCsv(lines[0]);
        var (idIndex, outcomeIndex) = (header.IndexOf(ExternalIdColumn), header.IndexOf(OutcomeColumn));
        var rows = lines.Skip(1).Select(line => (Line: line, Cells: SplitCsv(line))).ToArray();
        var truth = rows.ToDictionary(r => r.Cells[idIndex], r => r.Cells[outcomeIndex] == "1", StringComparer.Ordinal);
        var foldOf = StratifiedFolds.Assign(truth.Select(t => (t.Key, t.Value)), folds, StratifiedFolds.Seed);
        Console.WriteLine($"train.csv: {rows.Length:N0} leads, {truth.Values.Count(c => c):N0} converted; stratified {folds}-fold cross-validation through the API (seed {StratifiedFolds.Seed}), a fresh client business per fold");

        var results = new List<FoldFigures>();
        var token = "";
        for (var fold = 0; fold < folds; fold++)
        {
            token = await TenantSetup.CreateAsync(http, providerToken, $"cv{fold + 1}-{Guid.NewGuid():N}"[..18]);
            var training = rows.Where(r => foldOf[r.Cells[idIndex]] != fold).Select(r => r.Line).Prepend(lines[0]);
            var heldOut = rows.Where(r => foldOf[r.Cells[idIndex]] == fold).ToArray();
            Console.WriteLine();
            Console.WriteLine($"fold {fold + 1}/{folds}: {heldOut.Length:N0} leads held out ({heldOut.Count(r => truth[r.Cells[idIndex]]):N0} converted)");

            var started = Stopwatch.GetTimestamp();
            var imported = await ImportAsync(http, token, string.Join('\n', training) + "\n", ExternalIdColumn, OutcomeColumn);
            var importSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            Console.WriteLine($"  import of the other folds ({imported.GetProperty("processed").GetInt32():N0} rows with '{OutcomeColumn}') until every lead is scored: {importSeconds:0.0} s (target < 60 s)");

            started = Stopwatch.GetTimestamp();
            using (var request = Authorized(HttpMethod.Post, "/api/v1/scoring/model/train", token))
            using (var response = await http.SendAsync(request))
            {
                response.EnsureSuccessStatusCode();
                var statusUrl = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("statusUrl").GetString()!;
                var run = await PollAsync(http, token, statusUrl, s => s.GetProperty("status").GetString() != "training");
                var auc = run.TryGetProperty("auc", out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble().ToString("0.0000", CultureInfo.InvariantCulture) : "-";
                Console.WriteLine($"  training: {run.GetProperty("status").GetString()} in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s, inner validation AUC {auc}");
            }

            await ImportAsync(http, token, WithoutColumn(header, heldOut.Select(r => r.Cells), outcomeIndex), ExternalIdColumn, null);
            var scores = await ReadScoresAsync(http, token);
            var figures = Measure(heldOut.Select(r => r.Cells[idIndex]).Where(scores.ContainsKey).Select(id => (scores[id], truth[id])).ToArray(), importSeconds);
            Console.WriteLine($"  held-out fold imported without '{OutcomeColumn}', {figures.Leads:N0} of {heldOut.Length:N0} leads scored: {figures}");
            results.Add(figures);
        }

        Console.WriteLine();
        Console.WriteLine($"mean ± sd over {folds} folds (sample sd):");
        Console.WriteLine($"  AUC {MeanAndSd(results, f => f.Auc, "0.0000")} (target >= 0.90)");
        Console.WriteLine($"  hot tier: {MeanAndSd(results, f => f.HotCount, "0")} leads ({MeanAndSd(results, f => f.HotShare, "0.0%")}), {MeanAndSd(results, f => f.HotPrecision, "0.0%")} converted (target >= 85 %)");
        Console.WriteLine($"  conversions captured in the top 20 %: {MeanAndSd(results, f => f.Top20, "0.0%")}, top 40 %: {MeanAndSd(results, f => f.Top40, "0.0%")}; converted among the top 20 %: {MeanAndSd(results, f => f.Top20Precision, "0.0%")}");
        Console.WriteLine($"  import of ~{rows.Length - (rows.Length / folds):N0} rows until every lead is scored: {MeanAndSd(results, f => f.ImportSeconds, "0.0")} s");

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
        Console.WriteLine();
        Console.WriteLine($"one lead created -> scored (and routed), last fold's business: p50 {LoadRun.Percentile(sorted, 0.5):0} ms, max {sorted[^1]:0} ms (target p50 < 2 s)");
    }

    private sealed record FoldFigures(int Leads, double Auc, int HotCount, double HotShare, double HotPrecision, double Top20, double Top40, double Top20Precision, double ImportSeconds)
    {
        public override string ToString() => string.Create(
            CultureInfo.InvariantCulture,
            $"AUC {Auc:0.0000}; hot tier {HotCount} leads ({HotShare:0.0%}), {HotPrecision:0.0%} converted; top 20 % holds {Top20:0.0%} of conversions and is {Top20Precision:0.0%} converted; top 40 % holds {Top40:0.0%}");
    }

    private static FoldFigures Measure((Score Score, bool Converted)[] scored, double importSeconds)
    {
        var probabilities = scored.Select(s => s.Score.Probability).ToArray();
        var converted = scored.Select(s => s.Converted).ToArray();
        var hot = scored.Where(s => s.Score.Tier == "hot").ToArray();
        return new FoldFigures(
            scored.Length,
            RankingMetrics.Auc(probabilities, converted),
            hot.Length,
            hot.Length / (double)scored.Length,
            hot.Length == 0 ? double.NaN : hot.Count(s => s.Converted) / (double)hot.Length,
            RankingMetrics.CaptureAt(probabilities, converted, 0.2),
            RankingMetrics.CaptureAt(probabilities, converted, 0.4),
            RankingMetrics.PrecisionAt(probabilities, converted, 0.2),
            importSeconds);
    }

    private static string MeanAndSd(List<FoldFigures> results, Func<FoldFigures, double> figure, string format)
    {
        var values = results.Select(figure).ToArray();
        var mean = values.Average();
        var sd = values.Length < 2 ? double.NaN : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
        return mean.ToString(format, CultureInfo.InvariantCulture) + " ± " + sd.ToString(format, CultureInfo.InvariantCulture);
    }

    private sealed record Score(double Probability, string Tier);

    private static string WithoutColumn(List<string> header, IEnumerable<List<string>> rows, int dropped)
    {
        var csv = new StringBuilder();
        foreach (var cells in rows.Prepend(header))
        {
            csv.AppendJoin(',', cells.Where((_, i) => i != dropped).Select(Quote)).Append('\n');
        }

        return csv.ToString();
    }

    private static string Quote(string cell) =>
        cell.Contains(',', StringComparison.Ordinal) || cell.Contains('"', StringComparison.Ordinal) ? $"\"{cell.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : cell;

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

    private static async Task<Dictionary<string, Score>> ReadScoresAsync(HttpClient http, string token)
    {
        var scores = new Dictionary<string, Score>(StringComparer.Ordinal);
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
                    scores[externalId] = new Score(probability, score.GetProperty("tier").GetString()!);
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
