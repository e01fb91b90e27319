using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Speed;

/// <summary>
/// Issue #19: work committed with its change survives a kill -9 of the host before anything dispatched it. The host runs
/// without its outbox listener (timers are off in these hosts too), so the kill falls between commit and dispatch every time.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class OutboxCrashTests(HostFixture fixture)
{
    private const string TaskHub = "StreamFlowOutboxCrash";

    [Fact]
    public async Task An_import_and_a_lead_committed_before_a_kill_9_are_finished_and_scored_after_the_restart()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var port = TestEnvironment.ApiPort + 40;
        var sidecar = TestEnvironment.SidecarPort + 40;
        string statusUrl;
        Guid createdId;
        await using (var host = new StandaloneHost(port, sidecar, TaskHub, new Dictionary<string, string> { ["WorkOutbox__ListenForNotifications"] = "false" }))
        {
            await host.StartAsync();
            statusUrl = await SpeedHosts.ImportAsync(host.Client, tenant, SpeedHosts.Csv("K", 5));
            using var created = await host.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken,
                new { firstName = "Kit", company = "Kit's Heating", email = "kit@example.com", source = "Referral" }));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            createdId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            var before = await SpeedHosts.GetAsync(host.Client, tenant, statusUrl);
            Assert.Equal("pending", before.GetProperty("status").GetString());
            await host.KillAsync();
        }

        await using var restarted = new StandaloneHost(port, sidecar, TaskHub);
        await restarted.StartAsync();
        var status = await SpeedHosts.WaitForImportAsync(restarted.Client, tenant, statusUrl, TimeSpan.FromMinutes(2));
        var leads = await SpeedHosts.LeadsAsync(restarted.Client, tenant);

        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.Equal(5, status.GetProperty("created").GetInt32());
        Assert.Equal(6, leads.Count);
        Assert.Contains(leads, l => l.GetProperty("id").GetGuid() == createdId);
        Assert.All(leads, l => Assert.Equal("scored", l.GetProperty("scoreStatus").GetString()));
    }
}
