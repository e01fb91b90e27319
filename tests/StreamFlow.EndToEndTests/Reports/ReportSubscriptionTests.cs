using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Reports;

[Collection(HostCollection.Name)]
public sealed class ReportSubscriptionTests(HostFixture fixture)
{
    [Fact]
    public async Task A_user_is_subscribed_by_default_and_opts_out_of_one_cadence()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        var before = await ReadAsync(HttpMethod.Get, tenant.OwnerToken);
        var after = await ReadAsync(HttpMethod.Put, tenant.OwnerToken, new { daily = false });
        var reread = await ReadAsync(HttpMethod.Get, tenant.OwnerToken);

        Assert.Equal((true, true, false, true), Flags(before));
        Assert.Equal((false, true, false, false), Flags(after));
        Assert.Equal(Flags(after), Flags(reread));
        Assert.Equal("UTC", reread.GetProperty("timeZone").GetString());
    }

    [Fact]
    public async Task Sending_to_subscribers_when_everyone_opted_out_is_422()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        await ReadAsync(HttpMethod.Put, tenant.OwnerToken, new { daily = false, weekly = false, monthly = false });

        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/reports/send", tenant.OwnerToken, new { period = "day", to = "subscribers" }));

        await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task An_unknown_period_is_400()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/reports/summary?period=fortnight&date=2026-13-01", tenant.OwnerToken));
        var problem = await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);

        Assert.Equal(["date", "period"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
    }

    private static (bool, bool, bool, bool) Flags(JsonElement subscription) =>
        (subscription.GetProperty("daily").GetBoolean(), subscription.GetProperty("weekly").GetBoolean(), subscription.GetProperty("monthly").GetBoolean(), subscription.GetProperty("isDefault").GetBoolean());

    private async Task<JsonElement> ReadAsync(HttpMethod method, string token, object? body = null)
    {
        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(method, "/api/v1/reports/subscription", token, body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
