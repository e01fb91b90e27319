using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace StreamFlow.Bench.Http;

/// <summary>
/// The change feed's figure (bench/api/run.sh sse): SUBSCRIBERS open GET /api/v1/events/stream on one host, then
/// EVENTS leads are created one every 200 ms; for each (event, subscriber) the time from the POST's answer (the commit)
/// to the event's arrival on that stream. The same with one subscriber first: the ratio is what fan-out costs.
/// </summary>
internal static class SseBench
{
    public static async Task RunAsync(HttpClient http, string baseUrl, string providerToken, int subscribers, int events)
    {
        Console.WriteLine($"change feed: event committed -> delivered on every stream, {events} events one every 200 ms");
        var single = await MeasureAsync(http, baseUrl, providerToken, 1, events);
        var many = await MeasureAsync(http, baseUrl, providerToken, subscribers, events);
        Print("baseline: 1 subscriber", single);
        Print($"{subscribers} subscribers", many);
        Console.WriteLine($"  p95 {many.P95 / Math.Max(single.P95, 0.001):0.0}x the single subscriber's; target p95 < 1,000 ms");
    }

    private static void Print(string label, Measurement m) =>
        Console.WriteLine($"  {label,-26} deliveries {m.Delivered,7}/{m.Expected,-7} p50 {m.P50,7:0.0} ms  p95 {m.P95,7:0.0} ms  max {m.Max,7:0.0} ms");

    private static async Task<Measurement> MeasureAsync(HttpClient http, string baseUrl, string providerToken, int subscribers, int events)
    {
        var (_, token) = await ApiBench.NewTenantAsync(http, providerToken);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = subscribers + 8, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var streams = new HttpClient(handler) { BaseAddress = new Uri(baseUrl), Timeout = Timeout.InfiniteTimeSpan };
        using var stop = new CancellationTokenSource();
        var arrivals = new ConcurrentDictionary<(Guid Lead, int Subscriber), long>();
        var opened = 0;
        var readers = Enumerable.Range(0, subscribers).Select(index => Task.Run(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events/stream");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await streams.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token);
            response.EnsureSuccessStatusCode();
            Interlocked.Increment(ref opened);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
            string? eventName = null;
            while (!stop.IsCancellationRequested && await reader.ReadLineAsync(stop.Token) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    eventName = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventName == "lead.created")
                {
                    var lead = JsonDocument.Parse(line[6..]).RootElement.GetProperty("data").GetProperty("id").GetGuid();
                    arrivals.TryAdd((lead, index), Stopwatch.GetTimestamp());
                }
            }
        })).ToList();

        var deadline = Stopwatch.StartNew();
        while (Volatile.Read(ref opened) < subscribers && deadline.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(100);
        }

        var committed = new Dictionary<Guid, long>();
        for (var i = 0; i < events; i++)
        {
            using var create = new HttpRequestMessage(HttpMethod.Post, "/api/v1/leads");
            create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            create.Content = JsonContent.Create(new { firstName = "Feed", lastName = $"bench {i}", source = "Bench" });
            using var response = await http.SendAsync(create);
            var at = Stopwatch.GetTimestamp();
            response.EnsureSuccessStatusCode();
            committed[(await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid()] = at;
            await Task.Delay(200);
        }

        await Task.Delay(TimeSpan.FromSeconds(5));
        await stop.CancelAsync();
        await Task.WhenAll(readers.Select(r => r.ContinueWith(_ => { }, TaskScheduler.Default)));
        var latencies = arrivals.Where(a => committed.ContainsKey(a.Key.Lead))
            .Select(a => Stopwatch.GetElapsedTime(committed[a.Key.Lead], a.Value).TotalMilliseconds).Order().ToList();
        return new Measurement(
            subscribers * events, latencies.Count, Percentile(latencies, 0.5), Percentile(latencies, 0.95), latencies.Count == 0 ? double.NaN : latencies[^1]);
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * p))];

    private sealed record Measurement(int Expected, int Delivered, double P50, double P95, double Max);
}
