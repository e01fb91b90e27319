using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace StreamFlow.EndToEndTests;

[Collection(HostCollection.Name)]
public sealed class DurableAndTimerTests(HostFixture fixture)
{
    [Fact]
    public async Task Self_test_orchestration_round_trips_through_the_durable_backend()
    {
        var token = await fixture.LoginAsync("dev");

        using var start = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/dev/self-tests", token, new { pauseSeconds = 1 }));
        Assert.True(start.StatusCode == HttpStatusCode.Accepted, await start.Content.ReadAsStringAsync());
        var statusUrl = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("statusUrl").GetString()!;

        Assert.Equal(statusUrl, start.Headers.Location?.ToString());
        var status = await PollUntilFinishedAsync(fixture.Client, statusUrl, token, TimeSpan.FromSeconds(60));
        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.True(status.GetProperty("result").GetProperty("succeeded").GetBoolean());
    }

    [Fact]
    public async Task A_timer_fires_on_demand_and_records_a_heartbeat()
    {
        var token = await fixture.LoginAsync("dev");
        var before = await HeartbeatCountAsync(token);

        using var fire = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/admin/functions/PlatformHeartbeat", token));

        Assert.Equal(HttpStatusCode.Accepted, fire.StatusCode);
        Assert.Equal(before + 1, await HeartbeatCountAsync(token));
    }

    [Fact]
    public async Task Firing_a_timer_needs_a_developer_token()
    {
        using var anonymous = await fixture.Client.PostAsync("/admin/functions/PlatformHeartbeat", null);

        await PlatformEndpointTests.AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized);
    }

    internal static async Task<JsonElement> PollUntilFinishedAsync(HttpClient client, string statusUrl, string token, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            using var response = await client.SendAsync(HostFixture.Authorized(HttpMethod.Get, statusUrl, token));
            response.EnsureSuccessStatusCode();
            var status = await response.Content.ReadFromJsonAsync<JsonElement>();
            var state = status.GetProperty("status").GetString();
            if (state is "completed" or "failed" || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(200);
        }
    }

    private async Task<int> HeartbeatCountAsync(string token)
    {
        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/dev/health/history", token));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength();
    }
}
