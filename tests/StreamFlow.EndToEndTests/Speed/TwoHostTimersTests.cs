using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace StreamFlow.EndToEndTests.Speed;

/// <summary>
/// Issue #19, several hosts: two standalone hosts with their timers and outbox listeners on, sharing one PostgreSQL
/// (a cluster of the test's own, so no other host claims its slots or events), one Azurite and one task hub. A timer
/// scheduled every 2 s fires once per occurrence, not once per host, and each webhook event reaches its endpoint once.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class TwoHostTimersTests
{
    private const string TaskHub = "StreamFlowTwoHostTimers";

    [Fact]
    public async Task A_timer_fires_once_per_occurrence_and_a_webhook_is_attempted_once_across_two_hosts()
    {
        await using var postgres = await OwnPostgres.StartAsync("own-postgres-two-hosts", portOffset: 72);
        await using var receiver = await Receiver.StartAsync();
        var settings = new Dictionary<string, string>(postgres.HostSettings)
        {
            ["Timers__Enabled"] = "true",
            ["HeartbeatSchedule"] = "*/2 * * * * *",
            ["Webhooks__AllowLoopbackForDevelopment"] = "true",
        };
        await using var first = new StandaloneHost(TestEnvironment.ApiPort + 74, TestEnvironment.SidecarPort + 74, TaskHub, settings);
        await using var second = new StandaloneHost(TestEnvironment.ApiPort + 76, TestEnvironment.SidecarPort + 76, TaskHub, settings);
        // One after the other: each host migrates at start-up, and two first migrations of one empty database would race.
        await first.StartAsync();
        await second.StartAsync();

        var token = await OwnerTokenAsync(first.Client);
        using (var endpoint = await first.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/webhooks/endpoints", token,
            new { url = receiver.Url, eventTypes = new[] { "lead.created" } })))
        {
            Assert.True(endpoint.StatusCode == HttpStatusCode.Created, await endpoint.Content.ReadAsStringAsync());
        }

        var leads = new List<Guid>();
        for (var i = 0; i < 10; i++)
        {
            var host = i % 2 == 0 ? first : second;
            using var created = await host.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads", token,
                new { firstName = $"Both{i}", email = $"both{i}@example.com", source = "Website" }));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            leads.Add((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        }

        await receiver.WaitForEventsAsync(leads.Count, TimeSpan.FromSeconds(60));
        // Both hosts keep running their 2 s timer a while longer, each racing the other for every occurrence.
        await Task.Delay(TimeSpan.FromSeconds(12));
        await Task.WhenAll(first.KillAsync(), second.KillAsync());

        var slots = await postgres.QueryAsync("SELECT slot, host FROM timer_slots WHERE timer_name = 'PlatformHeartbeat'", r => (Slot: r.GetDateTime(0), Host: r.GetString(1)));
        var heartbeats = await postgres.QueryAsync("SELECT checked_at FROM platform_heartbeats ORDER BY checked_at", r => r.GetDateTime(0));
        var attempts = receiver.Events;

        Assert.True(slots.Count >= 5, $"Only {slots.Count} heartbeat occurrences were claimed.");
        Assert.Equal(slots.Count, slots.Select(s => s.Slot).Distinct().Count());
        // Each claimed occurrence fired once: one heartbeat each (twice as many if both hosts fired every occurrence), less
        // at most one per host that the kill cut short between its claim and its heartbeat.
        Assert.InRange(heartbeats.Count, slots.Count - 2, slots.Count);
        Assert.Equal(leads.Select(l => l.ToString()).Order(), attempts.Select(a => a.LeadId).Order());
        Assert.Equal(attempts.Count, attempts.Select(a => a.MessageId).Distinct().Count());
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
        var slug = $"twohost-{Guid.NewGuid():N}"[..20];
        using var created = await client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/provider/tenants", providerToken, new
        {
            name = "Two Hosts Heating", slug, industry = "hvac",
            owner = new { email = $"owner@{slug}.example.com", name = "Olive Owner", password = Identity.Tenants.Password },
        }));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { tenant = slug, email = $"owner@{slug}.example.com", password = Identity.Tenants.Password });
        Assert.True(login.StatusCode == HttpStatusCode.OK, await login.Content.ReadAsStringAsync());
        return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    private sealed record ReceivedEvent(string MessageId, string LeadId);

    /// <summary>A receiver on 127.0.0.1 answering 200 to every attempt and keeping each one.</summary>
    private sealed class Receiver(WebApplication app) : IAsyncDisposable
    {
        private readonly ConcurrentQueue<ReceivedEvent> _events = new();

        public string Url => app.Urls.First() + "/hooks";

        public IReadOnlyList<ReceivedEvent> Events => _events.ToArray();

        public static async Task<Receiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var receiver = new Receiver(app);
            app.MapPost("/hooks", async (HttpRequest request) =>
            {
                var body = await JsonDocument.ParseAsync(request.Body);
                receiver._events.Enqueue(new ReceivedEvent(request.Headers["webhook-id"].ToString(), body.RootElement.GetProperty("data").GetProperty("id").GetString()!));
                return Results.Ok();
            });
            await app.StartAsync();
            return receiver;
        }

        public async Task WaitForEventsAsync(int count, TimeSpan limit)
        {
            var deadline = DateTime.UtcNow + limit;
            while (_events.Count < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"Only {_events.Count} of {count} webhook attempts arrived within {limit}.");
                await Task.Delay(200);
            }
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
