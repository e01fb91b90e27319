using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Benchmarks;

/// <summary>Benchmarks over HTTP: the provider sees every business, a business only itself, and small cohorts stay hidden.</summary>
[Collection(HostCollection.Name)]
public sealed class BenchmarkRouteTests(HostFixture fixture)
{
    [Fact]
    public async Task A_business_sees_only_its_own_position_with_every_figure_placed_or_suppressed()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        using var lead = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken,
            new { firstName = "Dana", lastName = "Reyes", email = $"dana-{Guid.NewGuid():N}@example.com", source = "web" }));
        Assert.Equal(HttpStatusCode.Created, lead.StatusCode);

        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/benchmarks", tenant.OwnerToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var position = JsonDocument.Parse(text).RootElement.GetProperty("position");
        Assert.Equal(tenant.Id, position.GetProperty("tenantId").GetGuid());
        var figures = position.GetProperty("figures").EnumerateArray().ToList();
        Assert.Equal(6, figures.Count);
        Assert.Equal(1, figures.Single(f => f.GetProperty("figure").GetString() == "leadVolume").GetProperty("value").GetDouble());
        Assert.All(figures, f => Assert.True(
            f.GetProperty("cohortSize").GetInt32() >= 5 || f.GetProperty("suppressed").GetString()!.StartsWith("Fewer than 5", StringComparison.Ordinal)));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "\"tenantId\""));
    }

    [Fact]
    public async Task The_provider_sees_every_active_business_and_a_client_token_cannot_ask_for_them()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var provider = await fixture.LoginAsync("provider");

        using var all = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/provider/benchmarks", provider));
        using var refused = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/provider/benchmarks", tenant.OwnerToken));

        var report = await all.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(5, report.GetProperty("minimumCohort").GetInt32());
        Assert.Contains(report.GetProperty("positions").EnumerateArray(), p => p.GetProperty("tenantId").GetGuid() == tenant.Id);
        await PlatformEndpointTests.AssertProblemAsync(refused, HttpStatusCode.Unauthorized);
    }
}
