using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Portal;

[Collection(HostCollection.Name)]
public sealed class InsightApiTests(HostFixture fixture)
{
    [Fact]
    public async Task Conversion_and_revenue_by_source_and_owner_name_with_stage_velocity_and_the_methods_stated()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var me = await GetAsync(tenant.OwnerToken, "/api/v1/auth/me");
        var ownerId = me.GetProperty("userId").GetGuid();
        var wonLead = await CreateLeadAsync(tenant, "Reference", ownerId);
        var lostLead = await CreateLeadAsync(tenant, "Reference", ownerId);
        await CreateLeadAsync(tenant, "Google", null);
        await PatchAsync(tenant, wonLead, new { stage = "quote_sent" });
        await PatchAsync(tenant, wonLead, new { outcome = new { status = "won", amount = "4200", currency = "USD" } });
        await PatchAsync(tenant, lostLead, new { outcome = new { status = "lost", lostReason = "Price" } });

        var insight = await GetAsync(tenant.OwnerToken, "/api/v1/insights");
        var reference = insight.GetProperty("bySource").EnumerateArray().Single(s => s.GetProperty("source").GetString() == "Reference");
        var owner = insight.GetProperty("byOwner").EnumerateArray().Single(o => o.GetProperty("ownerId").ValueKind == JsonValueKind.String);
        var quoteSent = insight.GetProperty("stageVelocity").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "quote_sent");

        Assert.Equal(2, reference.GetProperty("leads").GetInt32());
        Assert.Equal(0.5, reference.GetProperty("conversion").GetDouble());
        Assert.Equal(4200m, reference.GetProperty("wonRevenue").GetDecimal());
        Assert.Equal("Olive Owner", owner.GetProperty("ownerName").GetString());
        Assert.Equal(1, owner.GetProperty("won").GetInt32());
        Assert.Contains(insight.GetProperty("byOwner").EnumerateArray(), o => o.GetProperty("ownerName").GetString() == "(unassigned)");
        Assert.Equal(1, quoteSent.GetProperty("exits").GetInt32());
        Assert.Equal("weekly-weekday-index", insight.GetProperty("seasonality").GetProperty("method").GetString());
        Assert.Equal(6, insight.GetProperty("forecastAccuracy").GetProperty("checks").GetArrayLength());
        Assert.All(insight.GetProperty("forecastAccuracy").GetProperty("checks").EnumerateArray(),
            check => Assert.Equal("too-little-history", check.GetProperty("method").GetString()));
    }

    [Theory]
    [InlineData("from=2026-05-01&to=2026-04-01", "to")]
    [InlineData("from=yesterday", "from")]
    public async Task A_bad_window_is_a_400_naming_it(string query, string field)
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/insights?" + query, tenant.OwnerToken));
        var problem = await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    private async Task<Guid> CreateLeadAsync(TestTenant tenant, string source, Guid? ownerUserId)
    {
        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken, new { firstName = "Insight", source, ownerUserId }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task PatchAsync(TestTenant tenant, Guid lead, object change)
    {
        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Patch, $"/api/v1/leads/{lead}", tenant.OwnerToken, change));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<JsonElement> GetAsync(string token, string path)
    {
        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, path, token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
