using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Portal;

[Collection(HostCollection.Name)]
public sealed class PortalProfileTests(HostFixture fixture)
{
    [Fact]
    public async Task Me_names_the_business_and_draws_the_owners_whole_menu()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        var me = await MeAsync(tenant.OwnerToken);

        Assert.Equal(tenant.Slug, me.GetProperty("tenant").GetProperty("slug").GetString());
        Assert.False(string.IsNullOrEmpty(me.GetProperty("tenant").GetProperty("name").GetString()));
        Assert.False(string.IsNullOrEmpty(me.GetProperty("name").GetString()));
        Assert.False(me.GetProperty("mfaEnabled").GetBoolean());
        Assert.Contains("settingsManage", Strings(me.GetProperty("permissions")));
        Assert.Contains("settings", Keys(me));
        Assert.Contains("leads", Keys(me));
    }

    [Fact]
    public async Task An_employee_is_offered_only_what_it_may_open()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var employee = await Tenants.AddUserAsync(fixture, tenant, "employee");

        var me = await MeAsync(employee.Token);
        var menu = Keys(me);

        Assert.Equal("employee", me.GetProperty("role").GetString());
        Assert.Contains("my-visits", menu);
        Assert.DoesNotContain("settings", menu);
        Assert.DoesNotContain("dispatch", menu);
        Assert.DoesNotContain("usersManage", Strings(me.GetProperty("permissions")));
        foreach (var section in me.GetProperty("menu").EnumerateArray())
        {
            using var landing = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, section.GetProperty("path").GetString()!, employee.Token));
            Assert.NotEqual(HttpStatusCode.Forbidden, landing.StatusCode);
        }
    }

    private async Task<JsonElement> MeAsync(string token)
    {
        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/auth/me", token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static List<string> Keys(JsonElement me) => [.. me.GetProperty("menu").EnumerateArray().Select(s => s.GetProperty("key").GetString()!)];

    private static List<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(s => s.GetString()!)];
}
