using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace StreamFlow.EndToEndTests;

/// <summary>Runs its own host on other ports, so that killing it leaves the shared host alone.</summary>
public sealed class DurabilityTests
{
    private const string DurabilityTaskHub = "StreamFlowDurabilityTest";

    [Fact]
    public async Task An_orchestration_survives_a_crash_of_the_host_and_completes_after_restart()
    {
        var port = TestEnvironment.ApiPort + 10;
        var sidecar = TestEnvironment.SidecarPort + 10;
        string statusUrl;
        string token;
        await using (var host = new StandaloneHost(port, sidecar, DurabilityTaskHub))
        {
            await host.StartAsync();
            token = await LoginAsync(host.Client);
            using var start = await host.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/dev/self-tests", token, new { pauseSeconds = 6 }));
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
            statusUrl = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("statusUrl").GetString()!;
            await WaitForStepAsync(host.Client, statusUrl, token, "pause");
            await host.KillAsync();
        }

        await using var restarted = new StandaloneHost(port, sidecar, DurabilityTaskHub);
        await restarted.StartAsync();
        var status = await DurableAndTimerTests.PollUntilFinishedAsync(restarted.Client, statusUrl, token, TimeSpan.FromSeconds(90));

        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.True(status.GetProperty("result").GetProperty("succeeded").GetBoolean());
    }

    private static async Task<string> LoginAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/dev/auth/login", new
        {
            email = TestEnvironment.Setting("STREAMFLOW_DEV_EMAIL"),
            password = TestEnvironment.Setting("STREAMFLOW_DEV_PASSWORD"),
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    private static async Task WaitForStepAsync(HttpClient client, string statusUrl, string token, string step)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await client.SendAsync(HostFixture.Authorized(HttpMethod.Get, statusUrl, token));
            var status = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (status.TryGetProperty("progress", out var progress) && progress.ValueKind == JsonValueKind.Object
                && progress.GetProperty("step").GetString() == step)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The orchestration never reached step '{step}'.");
    }
}
