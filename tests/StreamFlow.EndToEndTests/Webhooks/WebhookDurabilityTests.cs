using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using StreamFlow.Webhooks;

namespace StreamFlow.EndToEndTests.Webhooks;

/// <summary>
/// A delivery whose first attempt failed survives a crash of the host: after a restart the retry happens on schedule,
/// signed, and the receiver gets the event. Runs its own host on its own task hub, with timers on so that it dispatches.
/// </summary>
public sealed class WebhookDurabilityTests
{
    [Fact]
    public async Task A_pending_retry_is_delivered_after_the_host_is_killed_and_restarted()
    {
        await using var receiver = await Receiver.StartAsync(failFirst: 1);
        var settings = new Dictionary<string, string>
        {
            ["Timers__Enabled"] = "true",
            ["WebhookDispatchSchedule"] = "*/2 * * * * *",
            ["Webhooks__AllowLoopbackForDevelopment"] = "true",
            ["HeartbeatSchedule"] = "0 0 0 1 1 *",
        };
        var (port, sidecar) = (TestEnvironment.ApiPort + 20, TestEnvironment.SidecarPort + 20);
        string token;
        string secret;
        string endpointId;
        await using (var host = new StandaloneHost(port, sidecar, "StreamFlowWebhookDurability", settings))
        {
            await host.StartAsync();
            var fixture = new HostlessClient(host.Client);
            token = await fixture.NewTenantOwnerTokenAsync();
            using var schedule = await host.Client.SendAsync(HostFixture.Authorized(HttpMethod.Put, "/api/v1/webhooks/settings", token, new { retryDelaysSeconds = new[] { 8, 8 }, maxAttempts = 3 }));
            Assert.Equal(HttpStatusCode.OK, schedule.StatusCode);
            using var endpoint = await host.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/webhooks/endpoints", token,
                new { url = receiver.Url, eventTypes = new[] { "lead.created" } }));
            Assert.True(endpoint.StatusCode == HttpStatusCode.Created, await endpoint.Content.ReadAsStringAsync());
            var created = await endpoint.Content.ReadFromJsonAsync<JsonElement>();
            secret = created.GetProperty("secret").GetString()!;
            endpointId = created.GetProperty("id").GetString()!;
            using var lead = await host.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads", token, new { firstName = "Durable", email = "durable@example.com" }));
            Assert.Equal(HttpStatusCode.Created, lead.StatusCode);

            await receiver.WaitForAttemptsAsync(1, TimeSpan.FromSeconds(60));
            // Kill once the failed attempt is in the delivery log and its retry timer is scheduled, not mid-activity.
            await WaitForLoggedAttemptsAsync(host.Client, token, endpointId, 1);
            await Task.Delay(TimeSpan.FromSeconds(3));
            await host.KillAsync();
        }

        await using var restarted = new StandaloneHost(port, sidecar, "StreamFlowWebhookDurability", settings);
        await restarted.StartAsync();
        await receiver.WaitForAttemptsAsync(2, TimeSpan.FromSeconds(150));

        var delivered = receiver.Requests.Last();
        Assert.Equal(200, delivered.AnsweredWith);
        Assert.Equal("lead.created", JsonDocument.Parse(delivered.Body).RootElement.GetProperty("type").GetString());
        Assert.Equal(receiver.Requests[0].Id, delivered.Id);
        Assert.Equal(WebhookVerificationResult.Verified, new WebhookVerifier(secret).Verify(delivered.Id, delivered.Timestamp, delivered.Signature, delivered.Body));
    }

    private static async Task WaitForLoggedAttemptsAsync(HttpClient client, string token, string endpointId, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/webhooks/endpoints/{endpointId}/attempts", token));
            if ((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").GetArrayLength() >= count)
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("The first attempt never appeared in the delivery log.");
    }

    /// <summary>Signs in a new tenant's owner through the provider API of a host of the test's own.</summary>
    private sealed class HostlessClient(HttpClient client)
    {
        public async Task<string> NewTenantOwnerTokenAsync()
        {
            using var provider = await client.PostAsJsonAsync("/api/v1/provider/auth/login", new
            {
                email = TestEnvironment.Setting("STREAMFLOW_PROVIDER_EMAIL"),
                password = TestEnvironment.Setting("STREAMFLOW_PROVIDER_PASSWORD"),
            });
            var providerToken = (await provider.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
            var slug = $"hook-{Guid.NewGuid():N}"[..18];
            using var created = await client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/provider/tenants", providerToken, new
            {
                name = "Webhook durability", slug, industry = "hvac", owner = new { email = $"o@{slug}.example.com", name = "O", password = "correct horse battery staple" },
            }));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { tenant = slug, email = $"o@{slug}.example.com", password = "correct horse battery staple" });
            return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        }
    }

    private sealed record ReceivedRequest(string Id, string Timestamp, string Signature, string Body, int AnsweredWith);

    /// <summary>A receiver on 127.0.0.1 that fails the first attempts with 500 and then answers 200.</summary>
    private sealed class Receiver(WebApplication app) : IAsyncDisposable
    {
        private readonly ConcurrentQueue<ReceivedRequest> _requests = new();

        public string Url => app.Urls.First() + "/hooks";

        public IReadOnlyList<ReceivedRequest> Requests => _requests.ToArray();

        public static async Task<Receiver> StartAsync(int failFirst)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var receiver = new Receiver(app);
            app.MapPost("/hooks", async (HttpRequest request) =>
            {
                using var reader = new StreamReader(request.Body);
                var body = await reader.ReadToEndAsync();
                var status = receiver._requests.Count < failFirst ? 500 : 200;
                receiver._requests.Enqueue(new ReceivedRequest(
                    request.Headers["webhook-id"].ToString(), request.Headers["webhook-timestamp"].ToString(), request.Headers["webhook-signature"].ToString(), body, status));
                return Results.StatusCode(status);
            });
            await app.StartAsync();
            return receiver;
        }

        public async Task WaitForAttemptsAsync(int count, TimeSpan limit)
        {
            var deadline = DateTime.UtcNow + limit;
            while (_requests.Count < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"Only {_requests.Count} of {count} attempts arrived within {limit}.");
                await Task.Delay(200);
            }
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
