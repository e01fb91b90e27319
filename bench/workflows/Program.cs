using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using StreamFlow.Core.Database;
using StreamFlow.Core.Webhooks;

// Issue #16's figures on the standalone host (bench/workflows/run.sh starts it): N leads, and per phase one workflow "on
// lead.updated: wait one minute (5 s here), then add a note" and lead.updated events committed through the real outbox
// (WebhookOutbox.AddAsync, as the app's services write them, NOTIFY included); each event queues a run in its own
// transaction. Two phases, each with its own workflow (deleted after it):
//   burst:  N events at once, in tenant transactions of 100, 10 of them at a time (--runs, 1000; --writers);
//   steady: events at a steady rate, one per transaction, as a business sees them (--rate 50 per second for --seconds 20).
// Printed per phase: runs completed, exactly once (one run per event, one note per lead, one attempt per wait), wake-up
// lateness (the wait's logged end minus its due time), event committed -> first step logged and its hops (claimed,
// begun, first step, released), each next to its baseline measured in the same run: bare in-process Task.Delay timers
// of the same length started at once, and a bare PostgreSQL NOTIFY round trip (commit -> a listener hears it), the floor
// of the path a run starts on. --phases burst,steady picks the phases.
var api = Argument("--api") ?? throw new InvalidOperationException("--api is required (run.sh passes it).");
var runs = int.Parse(Argument("--runs") ?? "1000", CultureInfo.InvariantCulture);
var rate = double.Parse(Argument("--rate") ?? "50", CultureInfo.InvariantCulture);
var seconds = double.Parse(Argument("--seconds") ?? "20", CultureInfo.InvariantCulture);
var phases = (Argument("--phases") ?? "burst,steady").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
var steadyEvents = (int)Math.Round(rate * seconds);
var writers = int.Parse(Argument("--writers") ?? "10", CultureInfo.InvariantCulture);
var wait = TimeSpan.FromSeconds(5);
var appConnection = Environment.GetEnvironmentVariable("Postgres__AppConnectionString")
    ?? throw new InvalidOperationException("Set Postgres__AppConnectionString (run.sh does).");
using var http = new HttpClient { BaseAddress = new Uri(api), Timeout = TimeSpan.FromSeconds(60) };
await using var dataSource = NpgsqlDataSource.Create(appConnection);
Console.WriteLine(Invariant($"workflows bench: host {api}, phases {string.Join(", ", phases)} (burst {runs} runs, {writers} writers; steady {rate:0.#}/s for {seconds:0.#} s), one {wait.TotalSeconds:0} s wait each, {Environment.ProcessorCount} cores, load {LoadAverage()}"));

var (tenantId, token) = await NewTenantAsync();
await SendAsync(HttpMethod.Put, "/api/v1/scoring/settings", token, new { aiEnabled = false });
var leadIds = await CreateLeadsAsync(token, phases.Contains("burst") ? Math.Max(runs, phases.Contains("steady") ? steadyEvents : 0) : steadyEvents);
Console.WriteLine(Invariant($"setup:  {leadIds.Count} leads created through POST /api/v1/leads"));

var notifyFloor = await NotifyRoundTripsAsync(200);
var timerFloor = await InProcessTimerLatenessAsync(Math.Max(runs, steadyEvents), wait);
Console.WriteLine(Invariant($"floors: bare NOTIFY commit -> listener: p50 {Ms(notifyFloor, 0.5)} ms, p99 {Ms(notifyFloor, 0.99)} ms; ") + Invariant($"{Math.Max(runs, steadyEvents)} in-process Task.Delay({wait.TotalSeconds:0} s) started at once: p50 {Ms(timerFloor, 0.5)} ms, p99 {Ms(timerFloor, 0.99)} ms, max {Ms(timerFloor, 1)} ms late"));

foreach (var phase in phases)
{
    switch (phase)
    {
        case "burst":
            await PhaseAsync("burst", leadIds.Take(runs).ToList(), leads => CommitBurstAsync(tenantId, leads));
            break;
        case "steady":
            await PhaseAsync("steady", leadIds.Take(steadyEvents).ToList(), leads => CommitSteadyAsync(tenantId, leads, rate));
            break;
        default:
            throw new InvalidOperationException($"--phases: {phase} is neither burst nor steady.");
    }
}

Console.WriteLine($"load average at end: {LoadAverage()}");
return 0;

async Task PhaseAsync(string name, List<Guid> leads, Func<List<Guid>, Task<Dictionary<string, DateTimeOffset>>> commit)
{
    var label = name.PadRight(7);
    Console.WriteLine(Invariant($"[{name}] load at start: {LoadAverage()}"));
    var workflow = await SendAsync(HttpMethod.Post, "/api/v1/workflows", token, new
    {
        name = $"Bench {name}: wait, then note",
        trigger = new { @event = "lead.updated" },
        steps = new object[] { new { type = "wait", minutes = 1 }, new { type = "addNote", body = "Bench run" } },
    });
    var workflowId = workflow.GetProperty("id").GetGuid();

    var started = Stopwatch.GetTimestamp();
    var committed = await commit(leads);
    var commitSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
    Console.WriteLine(Invariant($"{label} {committed.Count} lead.updated events committed through the outbox in {commitSeconds:0.00} s ({committed.Count / commitSeconds:0}/s)"));

    var rows = await WaitForRunsAsync(tenantId, workflowId, leads.Count, TimeSpan.FromMinutes(10));
    await Task.Delay(TimeSpan.FromSeconds(3)); // a run started twice would add its second note here
    var notes = await NotesPerLeadAsync(tenantId, workflowId);
    await SendAsync(HttpMethod.Delete, $"/api/v1/workflows/{workflowId}", token, null);

    var completed = rows.Count(r => r.Status == "completed");
    var runsPerEvent = rows.GroupBy(r => r.TriggerKey).Select(g => g.Count()).ToList();
    var onceNotes = leads.Count(id => notes.GetValueOrDefault(id) == 1);
    var lateness = rows.Where(r => r.WaitEnded is not null).Select(r => (r.WaitEnded!.Value - r.DueAt).TotalMilliseconds).Order().ToList();
    var within = lateness.Count(l => Math.Abs(l) <= 2000);
    // Where a run's time goes: event committed (its run row is inserted in the event's transaction) -> claimed by a host
    // -> begun (conditions logged) -> first step logged -> released by the start claim (to the wake scheduler or the work outbox).
    List<double> SinceCommit(Func<RunRow, DateTimeOffset?> at) => rows.Where(r => at(r) is not null && committed.ContainsKey(r.TriggerKey))
        .Select(r => (at(r)!.Value - committed[r.TriggerKey]).TotalMilliseconds).Order().ToList();
    List<double> Between(Func<RunRow, DateTimeOffset?> from, Func<RunRow, DateTimeOffset?> to) => rows.Where(r => from(r) is not null && to(r) is not null)
        .Select(r => (to(r)!.Value - from(r)!.Value).TotalMilliseconds).Order().ToList();
    var firstStep = SinceCommit(r => r.FirstStepAt);
    var claimed = SinceCommit(r => r.ClaimedAt);
    var claimedToBegun = Between(r => r.ClaimedAt, r => r.StartedAt);
    var begunToFirst = Between(r => r.StartedAt, r => r.FirstStepAt);
    var firstToReleased = Between(r => r.FirstStepAt, r => r.HandedOverAt);
    // The step after the wait (the note), against the wait's due time: what a wake-up is for.
    var noteAfterDue = rows.Where(r => r.NoteAt is not null && r.WaitEnded is not null).Select(r => (r.NoteAt!.Value - r.DueAt).TotalMilliseconds).Order().ToList();
    // How fast the claiming hosts begin runs: a burst's runs queue behind each other's start.
    var begunTimes = rows.Where(r => r.StartedAt is not null).Select(r => r.StartedAt!.Value).Order().ToList();
    var begunSpan = begunTimes.Count > 1 ? (begunTimes[^1] - begunTimes[0]).TotalSeconds : 0;
    var lastCommit = committed.Count > 0 ? committed.Values.Max() : default;

    Console.WriteLine(Invariant($"{label} runs: {completed} of {leads.Count} completed; {rows.Count} runs for {committed.Count} events (max {runsPerEvent.DefaultIfEmpty(0).Max()} per event); ") + Invariant($"{onceNotes} of {leads.Count} leads have exactly one note ({leads.Count(id => notes.GetValueOrDefault(id) > 1)} with more, {leads.Count(id => !notes.ContainsKey(id))} with none); ") + Invariant($"{rows.Count(r => r.WaitAttempts == 1)} waits logged once"));
    Console.WriteLine(Invariant($"{label} start: event committed -> first step logged: p50 {Ms(firstStep, 0.5)} ms, p90 {Ms(firstStep, 0.9)} ms, p99 {Ms(firstStep, 0.99)} ms, max {Ms(firstStep, 1)} ms (target p50 < 500 ms: {(Percentile(firstStep, 0.5) < 500 ? "met" : "NOT met")})"));
    Console.WriteLine(Invariant($"{label} hops (p50 / p99 ms): event committed -> claimed {Ms(claimed, 0.5)} / {Ms(claimed, 0.99)}; claimed -> begun {Ms(claimedToBegun, 0.5)} / {Ms(claimedToBegun, 0.99)}; ") + Invariant($"begun -> first step {Ms(begunToFirst, 0.5)} / {Ms(begunToFirst, 0.99)}; first step -> released by the start claim {Ms(firstToReleased, 0.5)} / {Ms(firstToReleased, 0.99)}"));
    if (begunTimes.Count > 0)
    {
        Console.WriteLine(Invariant($"{label} {begunTimes.Count} runs begun over {begunSpan:0.00} s ({(begunSpan > 0 ? begunTimes.Count / begunSpan : 0):0}/s), the last {(begunTimes[^1] - lastCommit).TotalMilliseconds:0} ms after the last event committed"));
    }

    Console.WriteLine(Invariant($"{label} wake: lateness (wait logged done - due): min {Ms(lateness, 0)} ms, p50 {Ms(lateness, 0.5)} ms, p99 {Ms(lateness, 0.99)} ms, max {Ms(lateness, 1)} ms; ") + Invariant($"{within} of {lateness.Count} within 2 s of due (target all: {(within == leads.Count ? "met" : "NOT met")}); wait due -> the note logged: p50 {Ms(noteAfterDue, 0.5)} ms, p99 {Ms(noteAfterDue, 0.99)} ms"));
    Console.WriteLine(Invariant($"[{name}] load at end: {LoadAverage()}"));
}

async Task<(Guid TenantId, string Token)> NewTenantAsync()
{
    using var login = await http.PostAsJsonAsync("/api/v1/provider/auth/login", new
    {
        email = Environment.GetEnvironmentVariable("STREAMFLOW_PROVIDER_EMAIL"),
        password = Environment.GetEnvironmentVariable("STREAMFLOW_PROVIDER_PASSWORD"),
    });
    login.EnsureSuccessStatusCode();
    var provider = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    const string Password = "bench passphrase that is long enough";
    var slug = $"wf-{Guid.NewGuid():N}"[..18];
    var email = $"owner@{slug}.example.com";
    var tenant = await SendAsync(HttpMethod.Post, "/api/v1/provider/tenants", provider, new
    {
        name = "Bench workflows", slug, industry = "hvac", owner = new { email, name = "Bench Owner", password = Password },
    });
    var id = tenant.GetProperty("id").GetGuid();
    await SendAsync(HttpMethod.Put, $"/api/v1/provider/tenants/{id}/rate-limits", provider, new { requestsPerMinute = 100_000, userRequestsPerMinute = 100_000 });
    using var owner = await http.PostAsJsonAsync("/api/v1/auth/login", new { tenant = slug, email, password = Password });
    owner.EnsureSuccessStatusCode();
    return (id, (await owner.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!);
}

async Task<List<Guid>> CreateLeadsAsync(string ownerToken, int count)
{
    var ids = new System.Collections.Concurrent.ConcurrentBag<Guid>();
    await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        ids.Add((await SendAsync(HttpMethod.Post, "/api/v1/leads", ownerToken, new { firstName = $"Bench {i}", source = "Bench" })).GetProperty("id").GetGuid()));
    return [.. ids];
}

// Transactions of 100 events, --writers of them at once (10): on a loaded machine a single writer spreads the "burst"
// over many seconds, which measures the writer rather than the runs' start.
async Task<Dictionary<string, DateTimeOffset>> CommitBurstAsync(Guid tenant, List<Guid> leads)
{
    var database = new StreamFlowDatabase(dataSource);
    var outbox = new WebhookOutbox(TimeProvider.System);
    var commits = new System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal);
    await Parallel.ForEachAsync(leads.Chunk(100), new ParallelOptions { MaxDegreeOfParallelism = writers }, async (batch, _) =>
    {
        var ids = await database.InTenantAsync(tenant, async scope =>
        {
            var written = new List<string>();
            foreach (var lead in batch)
            {
                written.Add(await outbox.AddAsync(scope, tenant, WebhookEventCatalog.LeadUpdated, new { id = lead }, CancellationToken.None));
            }

            return written;
        }, CancellationToken.None);
        var at = DateTimeOffset.UtcNow;
        foreach (var id in ids)
        {
            commits[id] = at;
        }
    });

    return new Dictionary<string, DateTimeOffset>(commits, StringComparer.Ordinal);
}

// One event per transaction, the i-th begun at i / rate seconds whether or not the ones before it have committed, so that
// the arrival rate holds on a loaded machine.
async Task<Dictionary<string, DateTimeOffset>> CommitSteadyAsync(Guid tenant, List<Guid> leads, double perSecond)
{
    var database = new StreamFlowDatabase(dataSource);
    var outbox = new WebhookOutbox(TimeProvider.System);
    var start = Stopwatch.GetTimestamp();
    var commits = new List<Task<(string Id, DateTimeOffset At)>>();
    for (var i = 0; i < leads.Count; i++)
    {
        var due = TimeSpan.FromSeconds(i / perSecond) - Stopwatch.GetElapsedTime(start);
        if (due > TimeSpan.Zero)
        {
            await Task.Delay(due);
        }

        var lead = leads[i];
        commits.Add(Task.Run(async () =>
        {
            var id = await database.InTenantAsync(tenant, scope => outbox.AddAsync(scope, tenant, WebhookEventCatalog.LeadUpdated, new { id = lead }, CancellationToken.None), CancellationToken.None);
            return (id, DateTimeOffset.UtcNow);
        }));
    }

    return (await Task.WhenAll(commits)).ToDictionary(c => c.Id, c => c.At, StringComparer.Ordinal);
}

async Task<List<RunRow>> WaitForRunsAsync(Guid tenant, Guid workflow, int expected, TimeSpan limit)
{
    var deadline = DateTime.UtcNow + limit;
    while (true)
    {
        var found = new List<RunRow>();
        await using (var connection = await TenantConnectionAsync(tenant))
        await using (var command = new NpgsqlCommand("""
            SELECT r.trigger_key, r.status, r.first_step_at, (s.input ->> 'dueAt')::timestamptz, CASE WHEN s.status = 'done' THEN s.finished_at END, s.attempts,
                   r.started_at, r.handed_over_at, CASE WHEN n.status = 'done' THEN n.finished_at END, r.claimed_at
            FROM workflow_runs r LEFT JOIN workflow_run_steps s ON s.run_id = r.id AND s.path = 'steps[0]'
                 LEFT JOIN workflow_run_steps n ON n.run_id = r.id AND n.path = 'steps[1]'
            WHERE r.workflow_id = @Workflow
            """, connection))
        {
            command.Parameters.AddWithValue("Workflow", workflow);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                found.Add(new RunRow(reader.GetString(0), reader.GetString(1),
                    reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
                    reader.IsDBNull(3) ? default : reader.GetFieldValue<DateTimeOffset>(3),
                    reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                    reader.IsDBNull(5) ? 0 : reader.GetInt32(5),
                    reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
                    reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7),
                    reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                    reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9)));
            }
        }

        var finished = found.Count(r => r.Status is "completed" or "failed" or "skipped");
        if (finished >= expected || DateTime.UtcNow > deadline)
        {
            if (finished < expected)
            {
                Console.WriteLine(Invariant($"        gave up after {limit.TotalMinutes:0} min: {finished} of {expected} runs finished"));
            }

            return found;
        }

        await Task.Delay(500);
    }
}

async Task<Dictionary<Guid, int>> NotesPerLeadAsync(Guid tenant, Guid workflow)
{
    var counts = new Dictionary<Guid, int>();
    await using var connection = await TenantConnectionAsync(tenant);
    await using var command = new NpgsqlCommand("SELECT lead_id, count(*)::int FROM lead_activities WHERE kind = 'note' AND actor = @Actor GROUP BY lead_id", connection);
    command.Parameters.AddWithValue("Actor", $"workflow:{workflow}");
    await using var reader = await command.ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
        counts[reader.GetGuid(0)] = reader.GetInt32(1);
    }

    return counts;
}

async Task<NpgsqlConnection> TenantConnectionAsync(Guid tenant)
{
    var connection = await dataSource.OpenConnectionAsync();
    await using var set = new NpgsqlCommand("SELECT set_config('app.tenant_id', @Tenant, false)", connection);
    set.Parameters.AddWithValue("Tenant", tenant.ToString());
    await set.ExecuteNonQueryAsync();
    return connection;
}

async Task<List<double>> NotifyRoundTripsAsync(int samples)
{
    await using var listener = await dataSource.OpenConnectionAsync();
    var heard = new SemaphoreSlim(0);
    listener.Notification += (_, _) => heard.Release();
    await using (var listen = new NpgsqlCommand("LISTEN bench_workflows_floor", listener))
    {
        await listen.ExecuteNonQueryAsync();
    }

    var results = new List<double>();
    await using var sender = await dataSource.OpenConnectionAsync();
    for (var i = 0; i < samples; i++)
    {
        await using var transaction = await sender.BeginTransactionAsync();
        await using (var notify = new NpgsqlCommand("SELECT pg_notify('bench_workflows_floor', '')", sender, transaction))
        {
            await notify.ExecuteNonQueryAsync();
        }

        var waiting = listener.WaitAsync();
        await transaction.CommitAsync();
        var committedAt = Stopwatch.GetTimestamp();
        await waiting;
        await heard.WaitAsync();
        results.Add(Stopwatch.GetElapsedTime(committedAt).TotalMilliseconds);
    }

    results.Sort();
    return results;
}

static async Task<List<double>> InProcessTimerLatenessAsync(int count, TimeSpan delay)
{
    var start = Stopwatch.GetTimestamp();
    var lateness = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
    {
        await Task.Delay(delay);
        return (Stopwatch.GetElapsedTime(start) - delay).TotalMilliseconds;
    }));
    return [.. lateness.Order()];
}

async Task<JsonElement> SendAsync(HttpMethod method, string path, string? bearer, object? body)
{
    using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
    if (bearer is not null)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
    }

    using var response = await http.SendAsync(request);
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {text}");
    }

    return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
}

string? Argument(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * (sorted.Count - 1) + 0.5))];

static string Ms(List<double> sorted, double p) => Percentile(sorted, p).ToString("0", CultureInfo.InvariantCulture);

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

internal sealed record RunRow(
    string TriggerKey, string Status, DateTimeOffset? FirstStepAt, DateTimeOffset DueAt, DateTimeOffset? WaitEnded, int WaitAttempts,
    DateTimeOffset? StartedAt, DateTimeOffset? HandedOverAt, DateTimeOffset? NoteAt, DateTimeOffset? ClaimedAt);
