using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Settings;

/// <summary>Issue #16, slice 1: the business's settings over the API.</summary>
[Collection(HostCollection.Name)]
public sealed class TenantSettingsApiTests(HostFixture fixture)
{
    [Fact]
    public async Task A_new_business_reads_the_defaults()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        var settings = await ReadAsync(await SendAsync(HttpMethod.Get, tenant.OwnerToken));

        Assert.Equal("UTC", settings.GetProperty("timeZone").GetString());
        Assert.Equal("USD", settings.GetProperty("currency").GetString());
        Assert.Equal("08:00", settings.GetProperty("businessHours").GetProperty("monday").GetProperty("open").GetString());
        Assert.Equal(JsonValueKind.Null, settings.GetProperty("businessHours").GetProperty("sunday").ValueKind);
    }

    [Fact]
    public async Task A_change_is_kept_merged_with_what_it_leaves_and_audited()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var first = await SendAsync(HttpMethod.Patch, tenant.OwnerToken, new
        {
            timeZone = "America/Chicago", currency = "CAD", locale = "fr-CA",
            businessHours = new { monday = new { open = "07:30", close = "16:00" }, saturday = new { open = "09:00", close = "12:00" } },
            holidays = new[] { new { date = "2027-12-25", name = "Christmas Day" }, new { date = "2027-07-01", name = "Canada Day" } },
            reports = new { currency = "USD", sendAt = "06:30", weeklyOn = "friday" },
        });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var second = await SendAsync(HttpMethod.Patch, tenant.OwnerToken, new { locale = "en-CA" });
        var settings = await ReadAsync(await SendAsync(HttpMethod.Get, tenant.OwnerToken));
        var audit = await ReadAsync(await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/audit", tenant.OwnerToken)));

        Assert.Equal("America/Chicago", settings.GetProperty("timeZone").GetString());
        Assert.Equal("CAD", settings.GetProperty("currency").GetString());
        Assert.Equal("en-CA", settings.GetProperty("locale").GetString());
        Assert.Equal("07:30", settings.GetProperty("businessHours").GetProperty("monday").GetProperty("open").GetString());
        Assert.Equal(JsonValueKind.Null, settings.GetProperty("businessHours").GetProperty("tuesday").ValueKind);
        Assert.Equal(["2027-07-01", "2027-12-25"], settings.GetProperty("holidays").EnumerateArray().Select(h => h.GetProperty("date").GetString()));
        Assert.Equal("friday", settings.GetProperty("reports").GetProperty("weeklyOn").GetString());
        Assert.Equal(2, audit.GetProperty("items").EnumerateArray().Count(e => e.GetProperty("action").GetString() == "settings.changed"));
    }

    [Fact]
    public async Task Bad_settings_are_a_400_naming_each_field_and_change_nothing()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var response = await SendAsync(HttpMethod.Patch, tenant.OwnerToken, new
        {
            timeZone = "Mars/Olympus_Mons", currency = "XYZ", locale = "not a locale",
            businessHours = new { monday = new { open = "17:00", close = "17:00" }, tuesday = new { open = "9am", close = "17:00" } },
            holidays = new[] { new { date = "2027-12-25", name = "" } },
            reports = new { sendAt = "25:00", weeklyOn = "someday" },
        });
        var problem = await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var settings = await ReadAsync(await SendAsync(HttpMethod.Get, tenant.OwnerToken));

        var errors = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order();
        Assert.Equal(
            ["businessHours.monday.close", "businessHours.tuesday.open", "currency", "holidays[0].name", "locale", "reports.sendAt", "reports.weeklyOn", "timeZone"],
            errors);
        Assert.Equal("UTC", settings.GetProperty("timeZone").GetString());
    }

    [Fact]
    public async Task A_week_without_an_open_day_is_refused()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var response = await SendAsync(HttpMethod.Patch, tenant.OwnerToken, new { businessHours = new { } });
        var problem = await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty("businessHours", out _));
    }

    [Fact]
    public async Task Staff_may_not_read_or_change_the_settings()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var staff = await Tenants.AddUserAsync(fixture, tenant, "staff");

        using var read = await SendAsync(HttpMethod.Get, staff.Token);
        using var change = await SendAsync(HttpMethod.Patch, staff.Token, new { timeZone = "Europe/Paris" });

        Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, change.StatusCode);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string token, object? body = null) =>
        fixture.Client.SendAsync(HostFixture.Authorized(method, "/api/v1/settings", token, body));

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }
    }
}
