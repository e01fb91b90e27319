using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Speed;

/// <summary>
/// Issue #19, faults: PostgreSQL stops for 10 s while leads are being created. A host on a cluster of its own (so that
/// stopping it disturbs no other test) answers 503 problem+json with Retry-After while the database is down, never 500
/// and never a hang, serves again without a restart once it is back, and every lead it answered 201 exists with its
/// <c>lead.created</c> event, which its outbox listener (timers on: the database is its alone) dispatches.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class DatabaseOutageTests
{
    private const int Writers = 6;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Leads_created_while_PostgreSQL_stops_for_10_s_get_503_with_Retry_After_and_every_201_lead_and_event_survives()
    {
        await using var postgres = await OwnPostgres.StartAsync("own-postgres-outage", portOffset: 71);
        // Events claimed for dispatch as the server stopped stay claimed for the lease (a minute by default) before the
        // sweep takes them again; a short lease keeps that wait inside the minute the test gives the dispatch.
        var settings = new Dictionary<string, string>(postgres.HostSettings) { ["Timers__Enabled"] = "true", ["Webhooks__Dispatch__ClaimLease"] = "00:00:10" };
        await using var host = new StandaloneHost(TestEnvironment.ApiPort + 71, TestEnvironment.SidecarPort + 71, "StreamFlowDbOutage", settings);
        await host.StartAsync();
        var token = await OwnerTokenAsync(host.Client);

        var answers = new ConcurrentBag<Answer>();
        using var stopWriting = new CancellationTokenSource();
        var writers = Enumerable.Range(0, Writers).Select(w => WriteLeadsAsync(host.Client, token, w, answers, stopWriting.Token)).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(3));
        var stoppedAt = DateTime.UtcNow;
        await postgres.StopAsync();
        await Task.Delay(Outage);
        await postgres.ResumeAsync();
        var resumedAt = DateTime.UtcNow;
        // Recovered: answers created after the restart of the server, for a while.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (answers.Count(a => a.Status == HttpStatusCode.Created && a.SentAt > resumedAt) < 2 * Writers && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        await stopWriting.CancelAsync();
        await Task.WhenAll(writers);

        var all = answers.ToList();
        var failures = all.Where(a => a.Status is not (HttpStatusCode.Created or HttpStatusCode.ServiceUnavailable)).ToList();
        Assert.True(failures.Count == 0, "Answers other than 201 or 503:\n" + string.Join('\n', failures.Take(10)));
        var unavailable = all.Where(a => a.Status == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.True(unavailable.Count > 0, $"No 503 while PostgreSQL was down ({all.Count} answers): the outage was not exercised.");
        Assert.All(unavailable, a => Assert.True(a.RetryAfter is > 0 && a.ContentType == "application/problem+json", a.ToString()));
        Assert.Contains(all, a => a.Status == HttpStatusCode.Created && a.SentAt < stoppedAt);
        Assert.True(all.Count(a => a.Status == HttpStatusCode.Created && a.SentAt > resumedAt) >= 2 * Writers,
            $"The host did not recover within 60 s of the restart:\n{string.Join('\n', all.OrderBy(a => a.SentAt).TakeLast(10))}");

        var created = all.Where(a => a.Status == HttpStatusCode.Created).Select(a => a.LeadId!.Value).ToHashSet();
        var stored = (await postgres.QueryAsync("SELECT id FROM leads", r => r.GetGuid(0))).ToHashSet();
        Assert.Empty(created.Except(stored));
        await AssertEveryLeadCreatedEventDispatchedAsync(postgres, created);
    }

    private static async Task AssertEveryLeadCreatedEventDispatchedAsync(OwnPostgres postgres, HashSet<Guid> created)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var events = await postgres.QueryAsync(
                "SELECT (payload->>'id')::uuid, dispatched_at IS NOT NULL FROM webhook_messages WHERE event_type = 'lead.created'",
                r => (Id: r.GetGuid(0), Dispatched: r.GetBoolean(1)));
            var missing = created.Except(events.Select(e => e.Id)).ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} leads answered 201 have no lead.created event, e.g. {missing.FirstOrDefault()}");
            Assert.Equal(created.Count, events.Count(e => created.Contains(e.Id)));
            var undispatched = events.Count(e => !e.Dispatched);
            if (undispatched == 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{undispatched} lead.created events were still not dispatched 60 s after the outage.");
            await Task.Delay(500);
        }
    }

    private static async Task WriteLeadsAsync(HttpClient client, string token, int writer, ConcurrentBag<Answer> answers, CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var sentAt = DateTime.UtcNow;
            try
            {
                using var response = await client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads", token,
                    new { firstName = $"W{writer}", lastName = $"N{i}", email = $"w{writer}-{i}@outage.example.com", source = "Website" }));
                var body = await response.Content.ReadAsStringAsync();
                Guid? id = response.StatusCode == HttpStatusCode.Created ? JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid() : null;
                answers.Add(new Answer(sentAt, response.StatusCode, (int?)response.Headers.RetryAfter?.Delta?.TotalSeconds,
                    response.Content.Headers.ContentType?.MediaType, id, body.Length > 300 ? body[..300] : body));
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    // A client honouring Retry-After would wait longer; a short pause keeps the outage busy.
                    await Task.Delay(200, CancellationToken.None);
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // No answer (a hang past the client's timeout, or a dropped connection): a failure of the test.
                answers.Add(new Answer(sentAt, 0, null, null, null, exception.GetType().Name + ": " + exception.Message));
            }
        }
    }

    private static async Task<string> OwnerTokenAsync(HttpClient client)
    {
        using var providerLogin = await client.PostAsJsonAsync("/api/v1/provider/auth/login", new
        {
            email = TestEnvironment.Setting("STREAMFLOW_PROVIDER_EMAIL"),
            password = TestEnvironment.Setting("STREAMFLOW_PROVIDER_PASSWORD"),
        });
        providerLogin.EnsureSuccessStatusCode();
        var providerToken = (await providerLogin.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        var slug = $"outage-{Guid.NewGuid():N}"[..20];
        var ownerEmail = $"owner@{slug}.example.com";
        using var created = await client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/provider/tenants", providerToken, new
        {
            name = "Outage Heating",
            slug,
            industry = "hvac",
            owner = new { email = ownerEmail, name = "Olive Owner", password = Tenants.Password },
        }));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        // Six writers on a quiet machine pass the default 300 a minute: a 429 is not what this test is about.
        var tenantId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var limits = await client.SendAsync(HostFixture.Authorized(HttpMethod.Put, $"/api/v1/provider/tenants/{tenantId}/rate-limits", providerToken,
            new { requestsPerMinute = 100_000, userRequestsPerMinute = 100_000 }));
        Assert.True(limits.IsSuccessStatusCode, await limits.Content.ReadAsStringAsync());
        using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { tenant = slug, email = ownerEmail, password = Tenants.Password });
        Assert.True(login.StatusCode == HttpStatusCode.OK, await login.Content.ReadAsStringAsync());
        return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    private sealed record Answer(DateTime SentAt, HttpStatusCode Status, int? RetryAfter, string? ContentType, Guid? LeadId, string Body);
}
