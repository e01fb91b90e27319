using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Npgsql;
using StreamFlow.Core.Database;
using StreamFlow.Core.Webhooks;

/// <summary>
/// The standalone host end to end (bench/webhooks/standalone.sh starts it): events are committed through the real API
/// (POST /api/v1/leads writes lead.created to the outbox in the lead's transaction), the host's NOTIFY listener and
/// dispatcher start durable delivery orchestrations on the Azure Storage backend (Azurite), and a receiver on
/// 127.0.0.1 measures what arrives. Three runs:
///  1. retry timing (first, while the durable backend is idle): the receiver answers 500 to the first k attempts of
///     each event; the tenant's schedule is compressed (2 s, 5 s, 10 s, 20 s); each retry's delay after the previous
///     failure against the schedule;
///  2. paced: leads created through the API at a steady rate; commit (the lead's created_at, stamped in its
///     transaction) to first attempt at the receiver, p50/p99;
///  3. burst: N events committed through the real outbox (WebhookOutbox.AddAsync in tenant transactions of 100, as
///     the app's services write them, NOTIFY included) as fast as the database takes them — the lead API cannot
///     commit fast enough to load the delivery path, because each lead also schedules its scoring orchestration
///     before it answers; sustained deliveries/s at the receiver, and commit to first attempt under that load.
/// Every run prints exactly-once correctness counted at the receiver (distinct webhook-ids, duplicates, missing).
/// </summary>
internal static class StandaloneBench
{
    private static readonly int[] RetryDelaysSeconds = [2, 5, 10, 20];

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = StandaloneArguments.Parse(args);
        using var api = new HttpClient { BaseAddress = new Uri(settings.ApiUrl), Timeout = TimeSpan.FromSeconds(60) };
        await using var receiver = await RecordingReceiver.StartAsync();
        Console.WriteLine(Invariant($"standalone bench: host {settings.ApiUrl}, receiver {receiver.BaseUrl}, {Environment.ProcessorCount} cores, load {LoadAverage()}"));

        var providerToken = await LoginProviderAsync(api);

        // 1. Retry timing.
        if (settings.RetryEvents > 0)
        {
            var failFirst = RetryDelaysSeconds.Length;
            var (retry, _) = await NewTenantAsync(api, providerToken, receiver, "retry", failFirst, RetryDelaysSeconds);
            var retryRun = await CommitLeadsAsync(api, retry, settings.RetryEvents, concurrency: 1, rate: 5);
            await receiver.WaitForDistinctDeliveredAsync("retry", settings.RetryEvents, TimeSpan.FromSeconds(RetryDelaysSeconds.Sum() * 3 + 60));
            await Task.Delay(TimeSpan.FromSeconds(2));
            var errors = receiver.RetryErrors("retry", RetryDelaysSeconds);
            Console.WriteLine(Invariant(
                $"retry:  {settings.RetryEvents} events, receiver fails the first {failFirst} attempts with 500; tenant schedule {string.Join(", ", RetryDelaysSeconds.Select(s => s + " s"))} (jitter +-10 %)"));
            foreach (var group in errors.GroupBy(e => e.Retry).OrderBy(g => g.Key))
            {
                var scheduled = RetryDelaysSeconds[group.Key - 1];
                var tolerance = Math.Max(0.1 * scheduled, 2.0);
                var worst = group.MaxBy(e => Math.Abs(e.ErrorSeconds));
                var actual = group.Select(e => e.ActualSeconds).Order().ToList();
                Console.WriteLine(Invariant(
                    $"        retry {group.Key} (scheduled {scheduled,2} s after the failure): actual p50 {Percentile(actual, 0.5):0.00} s, min {actual[0]:0.00} s, max {actual[^1]:0.00} s; max |error| {Math.Abs(worst.ErrorSeconds):0.00} s vs tolerance {tolerance:0.0} s: {(group.All(e => Math.Abs(e.ErrorSeconds) <= tolerance) ? "within" : "OUTSIDE")}"));
            }

            var allWithin = errors.All(e => Math.Abs(e.ErrorSeconds) <= Math.Max(0.1 * RetryDelaysSeconds[e.Retry - 1], 2.0));
            Console.WriteLine(Invariant($"        {errors.Count} retries measured; every retry within 10 % or 2 s of its schedule: {(allWithin ? "yes" : "NO")}"));
            Console.WriteLine("        " + receiver.Correctness("retry", retryRun.Keys, attemptsPerEvent: failFirst + 1));
        }

        // 2. Paced, through the API.
        var (paced, _) = await NewTenantAsync(api, providerToken, receiver, "paced", failFirst: 0, retryDelays: null);
        var pacedRun = await CommitLeadsAsync(api, paced, settings.PacedEvents, concurrency: 4, rate: settings.PacedRate);
        await receiver.WaitForDistinctAsync("paced", settings.PacedEvents, TimeSpan.FromMinutes(5));
        await Task.Delay(TimeSpan.FromSeconds(2)); // late duplicates would show up here
        var pacedLatency = receiver.FirstAttemptLatencies("paced", pacedRun);
        Console.WriteLine(Invariant(
            $"paced:  {settings.PacedEvents} leads at {settings.PacedRate}/s through POST /leads; commit -> first attempt p50 {Percentile(pacedLatency, 0.50):0} ms, p99 {Percentile(pacedLatency, 0.99):0} ms, max {pacedLatency.LastOrDefault():0} ms (target p50 < 1000 ms: {(Percentile(pacedLatency, 0.5) < 1000 ? "met" : "NOT met")})"));
        Console.WriteLine("        " + receiver.Correctness("paced", pacedRun.Keys));

        // 3. Burst, through the outbox.
        var (_, burstTenant) = await NewTenantAsync(api, providerToken, receiver, "burst", failFirst: 0, retryDelays: null);
        var burstStarted = Stopwatch.GetTimestamp();
        var burstRun = await CommitThroughOutboxAsync(burstTenant, settings.BurstEvents);
        var committedSeconds = Stopwatch.GetElapsedTime(burstStarted).TotalSeconds;
        await receiver.WaitForDistinctAsync("burst", settings.BurstEvents, TimeSpan.FromMinutes(15));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var (first, last) = receiver.FirstAttemptSpan("burst");
        var deliverySeconds = (last - first).TotalSeconds;
        var burstLatency = receiver.FirstAttemptLatencies("burst", burstRun);
        var rate = settings.BurstEvents / deliverySeconds;
        Console.WriteLine(Invariant(
            $"burst:  {settings.BurstEvents} events committed through the outbox in {committedSeconds:0.0} s ({settings.BurstEvents / committedSeconds:0}/s)"));
        Console.WriteLine(Invariant(
            $"        sustained deliveries at the receiver: {rate:0}/s ({settings.BurstEvents} first attempts in {deliverySeconds:0.0} s, first to last) (target >= 300/s: {(rate >= 300 ? "met" : "NOT met")})"));
        Console.WriteLine(Invariant(
            $"        commit -> first attempt under the burst: p50 {Percentile(burstLatency, 0.50):0} ms, p99 {Percentile(burstLatency, 0.99):0} ms"));
        Console.WriteLine("        " + receiver.Correctness("burst", burstRun.Keys));

        Console.WriteLine($"load average at end: {LoadAverage()}");
        return 0;
    }

    private static async Task<string> LoginProviderAsync(HttpClient api)
    {
        using var response = await api.PostAsJsonAsync("/api/v1/provider/auth/login", new
        {
            email = Environment.GetEnvironmentVariable("STREAMFLOW_PROVIDER_EMAIL"),
            password = Environment.GetEnvironmentVariable("STREAMFLOW_PROVIDER_PASSWORD"),
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    private static async Task<(string Token, Guid TenantId)> NewTenantAsync(
        HttpClient api, string providerToken, RecordingReceiver receiver, string name, int failFirst, int[]? retryDelays)
    {
        const string Password = "bench passphrase that is long enough";
        var slug = $"{name}-{Guid.NewGuid():N}"[..18];
        var email = $"owner@{slug}.example.com";
        var tenant = await SendAsync(api, HttpMethod.Post, "/api/v1/provider/tenants", providerToken, new
        {
            name = $"Bench {name}",
            slug,
            industry = "hvac",
            owner = new { email, name = "Bench Owner", password = Password },
        });
        // The bench commits far more than the default 300 requests a minute.
        await SendAsync(api, HttpMethod.Put, $"/api/v1/provider/tenants/{tenant.GetProperty("id").GetString()}/rate-limits", providerToken,
            new { requestsPerMinute = 100_000, userRequestsPerMinute = 100_000 });
        using var login = await api.PostAsJsonAsync("/api/v1/auth/login", new { tenant = slug, email, password = Password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        if (retryDelays is not null)
        {
            await SendAsync(api, HttpMethod.Put, "/api/v1/webhooks/settings", token, new { retryDelaysSeconds = retryDelays, maxAttempts = retryDelays.Length + 1 });
        }

        receiver.Configure(name, failFirst);
        await SendAsync(api, HttpMethod.Post, "/api/v1/webhooks/endpoints", token, new { url = $"{receiver.BaseUrl}/{name}", eventTypes = new[] { "lead.created" } });
        return (token, Guid.Parse(tenant.GetProperty("id").GetString()!));
    }

    /// <summary>
    /// Creates leads through the API; returns, per lead id, its created_at (stamped in the transaction that also wrote
    /// the event). The 201 itself comes later: the API schedules the lead's scoring orchestration after the commit.
    /// </summary>
    private static async Task<ConcurrentDictionary<string, DateTimeOffset>> CommitLeadsAsync(HttpClient api, string token, int count, int concurrency, double rate)
    {
        var committed = new ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var paced = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                if (rate > 0 && TimeSpan.FromSeconds(i / rate) - paced.Elapsed is { } wait && wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                using var request = Authorized(HttpMethod.Post, "/api/v1/leads", token, new { firstName = "Bench", lastName = $"Lead {i}", source = "Bench" });
                using var response = await api.SendAsync(request);
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    throw new InvalidOperationException($"POST /leads answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }

                var lead = await response.Content.ReadFromJsonAsync<JsonElement>();
                committed[lead.GetProperty("id").GetString()!] = lead.GetProperty("createdAt").GetDateTimeOffset();
            }
        }));
        return committed;
    }

    /// <summary>Commits lead.created events through the app's outbox, 100 per tenant transaction; returns, per event's lead id, when its transaction committed.</summary>
    private static async Task<Dictionary<string, DateTimeOffset>> CommitThroughOutboxAsync(Guid tenant, int count)
    {
        var connection = Environment.GetEnvironmentVariable("Postgres__AppConnectionString")
            ?? throw new InvalidOperationException("Set Postgres__AppConnectionString (standalone.sh does).");
        await using var dataSource = NpgsqlDataSource.Create(connection);
        var database = new StreamFlowDatabase(dataSource);
        var outbox = new WebhookOutbox(TimeProvider.System);
        var committed = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var chunk in Enumerable.Range(0, count).Chunk(100))
        {
            var ids = await database.InTenantAsync(tenant, async scope =>
            {
                var leadIds = new List<string>();
                foreach (var i in chunk)
                {
                    var leadId = Guid.CreateVersion7().ToString();
                    await outbox.AddAsync(scope, tenant, WebhookEventCatalog.LeadCreated, new { Id = leadId, FirstName = "Bench", LastName = $"Lead {i}" }, CancellationToken.None);
                    leadIds.Add(leadId);
                }

                return leadIds;
            }, CancellationToken.None);
            var at = DateTimeOffset.UtcNow;
            foreach (var id in ids)
            {
                committed[id] = at;
            }
        }

        return committed;
    }

    private static async Task<JsonElement> SendAsync(HttpClient api, HttpMethod method, string path, string token, object body)
    {
        using var request = Authorized(method, path, token, body);
        using var response = await api.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static HttpRequestMessage Authorized(HttpMethod method, string path, string token, object body)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";

    private static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

internal sealed record StandaloneArguments(string ApiUrl, int PacedEvents, double PacedRate, int BurstEvents, int CommitConcurrency, int RetryEvents)
{
    public static StandaloneArguments Parse(string[] args)
    {
        string Text(string name, string fallback)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
        }

        double Number(string name, double fallback) => double.Parse(Text(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

        return new StandaloneArguments(
            Text("--api", "http://127.0.0.1:7071"),
            (int)Number("--paced-events", 60),
            Number("--paced-rate", 5),
            (int)Number("--burst", 3000),
            (int)Number("--commit-concurrency", 16),
            (int)Number("--retry-events", 20));
    }
}

/// <summary>Records every attempt (webhook-id, lead id, arrival, answer); fails the first k attempts of each event where asked.</summary>
internal sealed class RecordingReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _failFirst = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Attempt>> _attempts = new(StringComparer.Ordinal);

    private RecordingReceiver(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public static async Task<RecordingReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new RecordingReceiver(app);
        app.MapPost("/{run}", async (HttpContext context, string run) =>
        {
            var arrived = DateTimeOffset.UtcNow;
            using var body = await JsonDocument.ParseAsync(context.Request.Body);
            var messageId = context.Request.Headers["webhook-id"].ToString();
            var leadId = body.RootElement.GetProperty("data").GetProperty("id").GetString()!;
            var attempts = receiver._attempts.GetOrAdd(run, _ => new ConcurrentQueue<Attempt>());
            bool fail;
            lock (attempts)
            {
                fail = attempts.Count(a => a.MessageId == messageId) < receiver._failFirst.GetValueOrDefault(run);
                attempts.Enqueue(new Attempt(messageId, leadId, arrived, fail ? 500 : 200, DateTimeOffset.UtcNow));
            }

            return fail ? Results.StatusCode(500) : Results.Ok();
        });
        await app.StartAsync();
        receiver.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return receiver;
    }

    public void Configure(string run, int failFirst)
    {
        _failFirst[run] = failFirst;
        _attempts.TryAdd(run, new ConcurrentQueue<Attempt>());
    }

    public Task WaitForDistinctAsync(string run, int count, TimeSpan limit) =>
        WaitAsync(run, attempts => attempts.Select(a => a.MessageId).Distinct().Count() >= count, count, limit);

    public Task WaitForDistinctDeliveredAsync(string run, int count, TimeSpan limit) =>
        WaitAsync(run, attempts => attempts.Where(a => a.Status == 200).Select(a => a.MessageId).Distinct().Count() >= count, count, limit);

    private async Task WaitAsync(string run, Func<IReadOnlyList<Attempt>, bool> done, int count, TimeSpan limit)
    {
        var waited = Stopwatch.StartNew();
        while (!done(Snapshot(run)))
        {
            if (waited.Elapsed > limit)
            {
                throw new TimeoutException($"{run}: {Snapshot(run).Select(a => a.MessageId).Distinct().Count()} of {count} events arrived within {limit}.");
            }

            await Task.Delay(50);
        }
    }

    public List<double> FirstAttemptLatencies(string run, IReadOnlyDictionary<string, DateTimeOffset> committedAt) =>
        Snapshot(run).GroupBy(a => a.LeadId).Where(g => committedAt.ContainsKey(g.Key))
            .Select(g => (g.Min(a => a.Arrived) - committedAt[g.Key]).TotalMilliseconds)
            .Order().ToList();

    public (DateTimeOffset First, DateTimeOffset Last) FirstAttemptSpan(string run)
    {
        var firsts = Snapshot(run).GroupBy(a => a.MessageId).Select(g => g.Min(a => a.Arrived)).ToList();
        return (firsts.Min(), firsts.Max());
    }

    /// <summary>Per retry n (1-based): the delay from the (n)-th attempt's failure answer to the (n+1)-th attempt, minus the schedule.</summary>
    public List<(int Retry, double ActualSeconds, double ErrorSeconds)> RetryErrors(string run, int[] delaysSeconds)
    {
        var errors = new List<(int, double, double)>();
        foreach (var message in Snapshot(run).GroupBy(a => a.MessageId))
        {
            var attempts = message.OrderBy(a => a.Arrived).ToList();
            for (var n = 1; n < attempts.Count && n <= delaysSeconds.Length; n++)
            {
                var actual = (attempts[n].Arrived - attempts[n - 1].Answered).TotalSeconds;
                errors.Add((n, actual, actual - delaysSeconds[n - 1]));
            }
        }

        return errors;
    }

    /// <summary>Exactly once per event and endpoint, counted here: every committed lead arrived, under one webhook-id, as often as expected.</summary>
    public string Correctness(string run, IEnumerable<string> committedLeadIds, int attemptsPerEvent = 1)
    {
        var attempts = Snapshot(run);
        var committed = committedLeadIds.ToHashSet(StringComparer.Ordinal);
        var byLead = attempts.GroupBy(a => a.LeadId).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var missing = committed.Count(id => !byLead.ContainsKey(id));
        var unexpected = byLead.Keys.Count(id => !committed.Contains(id));
        var delivered = attempts.Where(a => a.Status == 200).GroupBy(a => a.MessageId).ToList();
        var duplicates = delivered.Sum(g => g.Count() - 1);
        var wrongAttemptCount = byLead.Values.Count(list => list.Count != attemptsPerEvent);
        var idsPerLead = byLead.Values.Count(list => list.Select(a => a.MessageId).Distinct().Count() != 1);
        var ok = missing == 0 && unexpected == 0 && duplicates == 0 && wrongAttemptCount == 0 && idsPerLead == 0;
        return Invariant($"correctness: {committed.Count} committed, {delivered.Count} delivered (2xx) once each, {missing} missing, {duplicates} duplicate deliveries, {unexpected} unexpected, {wrongAttemptCount} with other than {attemptsPerEvent} attempt(s), {idsPerLead} with more than one webhook-id: {(ok ? "exactly once" : "NOT exactly once")}");
    }

    private List<Attempt> Snapshot(string run) => _attempts.TryGetValue(run, out var attempts) ? [.. attempts] : [];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed record Attempt(string MessageId, string LeadId, DateTimeOffset Arrived, int Status, DateTimeOffset Answered);
}
