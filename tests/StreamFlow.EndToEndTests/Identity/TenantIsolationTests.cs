using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace StreamFlow.EndToEndTests.Identity;

/// <summary>For every client resource route, tenant A's owner asking for tenant B's ids gets 404 and B's data stays as it was.</summary>
[Collection(HostCollection.Name)]
public sealed class TenantIsolationTests(HostFixture fixture)
{
    [Fact]
    public async Task Another_tenants_ids_are_404_on_every_resource_route_and_nothing_changes()
    {
        var tenantA = await Tenants.CreateAsync(fixture);
        var tenantB = await Tenants.CreateAsync(fixture);
        var userOfB = await Tenants.AddUserAsync(fixture, tenantB, "staff");
        var sessionOfB = await SessionIdAsync(userOfB.Token);
        var before = await SnapshotAsync(tenantB, userOfB.Id);

        (HttpMethod Method, string Path, object? Body)[] probes =
        [
            (HttpMethod.Get, $"/api/v1/users/{userOfB.Id}", null),
            (HttpMethod.Patch, $"/api/v1/users/{userOfB.Id}", new { role = "admin", name = "Hijacked" }),
            (HttpMethod.Delete, $"/api/v1/users/{userOfB.Id}", null),
            (HttpMethod.Delete, $"/api/v1/auth/sessions/{sessionOfB}", null),
        ];
        foreach (var (method, path, body) in probes)
        {
            using var response = await fixture.Client.SendAsync(HostFixture.Authorized(method, path, tenantA.OwnerToken, body));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} answered {(int)response.StatusCode}");
        }

        Assert.Equal(before, await SnapshotAsync(tenantB, userOfB.Id));
        using var stillSignedIn = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/auth/me", userOfB.Token));
        Assert.Equal(HttpStatusCode.OK, stillSignedIn.StatusCode);
    }

    private async Task<Guid> SessionIdAsync(string token)
    {
        using var me = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/auth/me", token));
        return (await me.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sessionId").GetGuid();
    }

    private async Task<string> SnapshotAsync(TestTenant tenant, Guid userId)
    {
        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/users/{userId}", tenant.OwnerToken));
        return await response.Content.ReadAsStringAsync();
    }
}
