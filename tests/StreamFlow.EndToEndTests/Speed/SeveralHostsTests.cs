using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Speed;

/// <summary>Issue #19: two standalone hosts of one deployment (one database, one Azurite, one task hub) behave as one.</summary>
[Collection(HostCollection.Name)]
public sealed class SeveralHostsTests(HostFixture fixture) : IAsyncLifetime
{
    private const string TaskHub = "StreamFlowTwoHosts";

    private readonly StandaloneHost _first = new(TestEnvironment.ApiPort + 50, TestEnvironment.SidecarPort + 50, TaskHub);
    private readonly StandaloneHost _second = new(TestEnvironment.ApiPort + 60, TestEnvironment.SidecarPort + 60, TaskHub);

    public async Task InitializeAsync()
    {
        await _first.StartAsync();
        await _second.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
    }

    [Fact]
    public async Task Imports_and_leads_sent_to_either_host_are_run_and_scored_exactly_once()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        var imports = new[]
        {
            await SpeedHosts.ImportAsync(_first.Client, tenant, SpeedHosts.Csv("A", 4)),
            await SpeedHosts.ImportAsync(_second.Client, tenant, SpeedHosts.Csv("B", 4)),
        };
        for (var i = 0; i < 4; i++)
        {
            var host = i % 2 == 0 ? _first : _second;
            using var created = await host.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken,
                new { firstName = $"Two{i}", email = $"two{i}@example.com", source = "Website" }));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var statuses = new List<JsonElement>();
        foreach (var statusUrl in imports)
        {
            statuses.Add(await SpeedHosts.WaitForImportAsync(_second.Client, tenant, statusUrl, TimeSpan.FromMinutes(2)));
        }

        var leads = await SpeedHosts.LeadsAsync(_first.Client, tenant);
        var timesScored = new List<int>();
        foreach (var lead in leads)
        {
            timesScored.Add(await SpeedHosts.TimesScoredAsync(_first.Client, tenant, lead.GetProperty("id").GetGuid()));
        }

        Assert.All(statuses, s => Assert.Equal("completed", s.GetProperty("status").GetString()));
        Assert.All(statuses, s => Assert.Equal(4, s.GetProperty("created").GetInt32()));
        Assert.Equal(12, leads.Count);
        Assert.All(timesScored, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task A_tenants_rate_limit_holds_across_both_hosts_not_per_host()
    {
        const int limit = 15;
        var tenant = await Tenants.CreateAsync(fixture);
        using var setLimit = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Put, $"/api/v1/provider/tenants/{tenant.Id}/rate-limits",
            await fixture.LoginAsync("provider"), new { requestsPerMinute = limit, userRequestsPerMinute = limit }));
        Assert.Equal(HttpStatusCode.OK, setLimit.StatusCode);
        // Windows are UTC minutes: start early in one, so that the whole run falls inside it.
        if (DateTime.UtcNow.Second > 35)
        {
            await Task.Delay(TimeSpan.FromSeconds(61 - DateTime.UtcNow.Second));
        }

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 3 * limit; i++)
        {
            var host = i % 2 == 0 ? _first : _second;
            using var response = await host.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/leads?limit=1", tenant.OwnerToken));
            answers.Add(response.StatusCode);
            await Task.Delay(150);
        }

        var admitted = answers.Count(a => a == HttpStatusCode.OK);
        // Per host, each would admit `limit`; shared, the most is the limit plus what the other host admitted within one
        // sync interval (1 s: at most 4 of these paced requests).
        Assert.InRange(admitted, limit - 2, limit + 4);
        Assert.Equal(3 * limit - admitted, answers.Count(a => a == HttpStatusCode.TooManyRequests));
    }
}
