using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Rfps;
using StreamFlow.IntegrationTests.Rfps;

// Usage: StreamFlow.Bench.Rfps inprocess [pages] [runs]
//        StreamFlow.Bench.Rfps http <baseUrl> [pages] [runs]   (provider credentials from STREAMFLOW_PROVIDER_EMAIL/PASSWORD)
var mode = args.ElementAtOrDefault(0) ?? "inprocess";
if (mode == "http")
{
    await HttpBench.RunAsync(args[1], Number(args, 2, 50), Number(args, 3, 5));
    return;
}

var pages = Number(args, 1, 50);
var runs = Number(args, 2, 20);
var pdf = SolicitationDocuments.LongPdf(pages);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RFP analysis without AI, in process: a {pages}-page PDF ({pdf.Length / 1024.0:0} KiB), {runs} runs after one cold run"));

var (extract, facts, assess) = (new List<double>(), new List<double>(), new List<double>());
RfpFacts? found = null;
for (var run = 0; run <= runs; run++)
{
    var clock = Stopwatch.StartNew();
    var document = RfpTextExtractor.Extract(RfpMediaTypes.Pdf, pdf);
    var extracted = clock.Elapsed.TotalMilliseconds;
    found = RfpFactExtractor.Extract(document);
    var read = clock.Elapsed.TotalMilliseconds;
    // The local assessment as the service runs it, with a history of similar won work already read.
    var history = new RfpPricingHistory("similar", ["hvac"], 12, 8, 0.6, Money.Of(90_000m, "USD"), Money.Of(120_000m, "USD"),
        Money.Of(150_000m, "USD"), Money.Of(180_000m, "USD"), Money.Of(210_000m, "USD"), []);
    _ = RfpLocalAssessment.Assess(found, history, DateTimeOffset.UtcNow, "bench");
    var assessed = clock.Elapsed.TotalMilliseconds;
    if (run == 0)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  cold (first run, includes JIT): text {extracted:0} ms, facts {read - extracted:0} ms, assessment {assessed - read:0} ms, total {assessed:0} ms"));
        continue;
    }

    extract.Add(extracted);
    facts.Add(read - extracted);
    assess.Add(assessed - read);
}

var totals = extract.Select((e, i) => e + facts[i] + assess[i]).ToList();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"  warm median: text {Median(extract):0} ms, facts {Median(facts):0.0} ms, assessment {Median(assess):0.00} ms, total {Median(totals):0} ms (max {totals.Max():0} ms)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"  found: {found!.NaicsCodes.Count} NAICS codes, {found.EvaluationCriteria.Count} evaluation factors, {found.RequirementsFound} requirement statements, due {found.ResponseDue?.Value.Utc:u}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FIGURE rfp-analysis-50-page-pdf-no-ai-ms {Median(totals):0} (target < 10000)"));

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

static int Number(string[] args, int index, int fallback) =>
    args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

/// <summary>Upload → completed analysis through the API of a running standalone host (durable orchestration, Blob storage, PostgreSQL).</summary>
internal static class HttpBench
{
    public static async Task RunAsync(string baseUrl, int pages, int runs)
    {
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(2) };
        var token = await OwnerTokenAsync(http);
        var pdf = SolicitationDocuments.LongPdf(pages);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RFP analysis without AI, through the HTTP API: a {pages}-page PDF, {runs} uploads one after another"));
        var times = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var clock = Stopwatch.StartNew();
            using var upload = new HttpRequestMessage(HttpMethod.Post, "/api/v1/rfps") { Content = new ByteArrayContent(pdf) };
            upload.Content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
            upload.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var accepted = await http.SendAsync(upload);
            accepted.EnsureSuccessStatusCode();
            var statusUrl = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("statusUrl").GetString()!;
            string status;
            do
            {
                await Task.Delay(50);
                using var poll = new HttpRequestMessage(HttpMethod.Get, statusUrl);
                poll.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await http.SendAsync(poll);
                status = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString()!;
            }
            while (status is "pending" or "running");

            times.Add(clock.Elapsed.TotalMilliseconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  run {run + 1}: {status} in {clock.Elapsed.TotalMilliseconds:0} ms (upload to completed, polled every 50 ms)"));
        }

        var sorted = times.Order().ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FIGURE rfp-analysis-50-page-pdf-http-no-ai-ms {sorted[sorted.Count / 2]:0} (median; target < 10000)"));
    }

    private static async Task<string> OwnerTokenAsync(HttpClient http)
    {
        using var provider = await http.PostAsJsonAsync("/api/v1/provider/auth/login", new
        {
            email = Environment.GetEnvironmentVariable("STREAMFLOW_PROVIDER_EMAIL"),
            password = Environment.GetEnvironmentVariable("STREAMFLOW_PROVIDER_PASSWORD"),
        });
        provider.EnsureSuccessStatusCode();
        var providerToken = (await provider.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        var slug = $"rfp-bench-{Guid.NewGuid():N}"[..20];
        const string password = "a long bench passphrase";
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/v1/provider/tenants")
        {
            Content = JsonContent.Create(new { name = "RFP bench", slug, industry = "hvac", owner = new { email = $"owner@{slug}.example.com", name = "Bench Owner", password } }),
        };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", providerToken);
        using var created = await http.SendAsync(create);
        created.EnsureSuccessStatusCode();
        using var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { tenant = slug, email = $"owner@{slug}.example.com", password });
        login.EnsureSuccessStatusCode();
        return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }
}
