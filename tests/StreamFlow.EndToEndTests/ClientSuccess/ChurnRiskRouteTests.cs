using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.Core.ClientSuccess;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.ClientSuccess;

/// <summary>Churn risk over HTTP: provider only, signals counted from what the business did, reasons with their playbook.</summary>
[Collection(HostCollection.Name)]
public sealed class ChurnRiskRouteTests(HostFixture fixture)
{
    [Fact]
    public async Task The_provider_reads_a_business_signals_counted_from_its_own_activity()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        await Tenants.LoginAsync(fixture, tenant.Slug, tenant.OwnerEmail, tenant.OwnerPassword);
        foreach (var name in new[] { "Dana", "Eli" })
        {
            using var lead = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken,
                new { firstName = name, email = $"{name.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com", source = "web" }));
            Assert.Equal(HttpStatusCode.Created, lead.StatusCode);
        }

        var provider = await fixture.LoginAsync("provider");
        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/provider/tenants/{tenant.Id}/churn-risk", provider));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var detail = await response.Content.ReadFromJsonAsync<JsonElement>();
        var signals = detail.GetProperty("signals");
        Assert.Equal(2, signals.GetProperty("loginsRecent").GetInt64());
        Assert.Equal(1, signals.GetProperty("activeUsersRecent").GetInt64());
        Assert.Equal(2, signals.GetProperty("leadsRecent").GetInt64());
        Assert.Equal(0, signals.GetProperty("ownerIdleDays").GetDouble(), 1);
        Assert.Equal(2, signals.GetProperty("ownerLoginsRecent").GetInt64());
        var weeks = signals.GetProperty("useWeekly").EnumerateArray().Select(w => w.GetInt64()).ToList();
        Assert.Equal(12, weeks.Count);
        Assert.True(weeks[^1] >= 2, $"this week's use {weeks[^1]} counts the two sign-ins");
        Assert.All(weeks.SkipLast(1), w => Assert.Equal(0, w));
        Assert.Equal(ChurnFactors.All.Count, detail.GetProperty("factors").GetArrayLength());
        var risk = detail.GetProperty("risk").GetDouble();
        Assert.InRange(risk, 0, 1);
        var reasons = detail.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("factor").GetString()).ToList();
        var playbook = detail.GetProperty("playbook").EnumerateArray().Select(a => a.GetProperty("reason").GetString()).Distinct().ToList();
        Assert.Equal(reasons.Order(), playbook.Order());
        using var trail = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/audit?limit=100", tenant.OwnerToken));
        var read = (await trail.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()
            .Single(e => e.GetProperty("action").GetString() == "client_success.churn_risk.read");
        Assert.Equal("provider", read.GetProperty("system").GetString());
        Assert.StartsWith("provider:", read.GetProperty("actor").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_list_holds_every_active_business_highest_risk_first_and_filters_by_band()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var provider = await fixture.LoginAsync("provider");

        using var all = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/provider/churn-risks", provider));
        var businesses = (await all.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("businesses").EnumerateArray().ToList();
        var band = businesses.Single(b => b.GetProperty("tenantId").GetGuid() == tenant.Id).GetProperty("band").GetString();
        using var filtered = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/provider/churn-risks?band={band}", provider));

        var risks = businesses.Select(b => b.GetProperty("risk").GetDouble()).ToList();
        Assert.Equal(risks.OrderDescending(), risks);
        var inBand = (await filtered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("businesses").EnumerateArray().ToList();
        Assert.Contains(inBand, b => b.GetProperty("tenantId").GetGuid() == tenant.Id);
        Assert.All(inBand, b => Assert.Equal(band, b.GetProperty("band").GetString()));
    }

    [Fact]
    public async Task A_bad_band_names_the_field_an_unknown_business_is_404_and_a_client_token_is_refused()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var provider = await fixture.LoginAsync("provider");

        using var badBand = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/provider/churn-risks?band=severe", provider));
        using var unknown = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/provider/tenants/{Guid.NewGuid()}/churn-risk", provider));
        using var asClient = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/provider/tenants/{tenant.Id}/churn-risk", tenant.OwnerToken));

        var problem = await PlatformEndpointTests.AssertProblemAsync(badBand, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("band", out _));
        await PlatformEndpointTests.AssertProblemAsync(unknown, HttpStatusCode.NotFound);
        await PlatformEndpointTests.AssertProblemAsync(asClient, HttpStatusCode.Unauthorized);
    }
}
