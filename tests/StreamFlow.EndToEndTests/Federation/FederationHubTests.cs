using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Federation;

/// <summary>
/// The hub side over HTTP, with the test host as both hub and member (it calls itself through its public URL with a
/// signed request, exactly as it would call another instance): pulls, the console, and a member that is down.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class FederationHubTests(HostFixture fixture)
{
    [Fact]
    public async Task A_pulled_member_s_clients_appear_in_the_console_next_to_the_local_ones()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var provider = await fixture.LoginAsync("provider");
        var keyId = "hub-" + Guid.NewGuid().ToString("N")[..12];
        var secret = await RegisterInboundKeyAsync(provider, keyId);
        var member = await RegisterMemberAsync(provider, new { name = "Member " + keyId, baseUrl = fixture.Client.BaseAddress!.AbsoluteUri, keyId, algorithm = "hmac-sha256", sharedSecret = secret });

        using var pulled = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, $"/api/v1/provider/federation/members/{member}/pull", provider));

        var view = await pulled.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, pulled.StatusCode);
        Assert.Equal("healthy", view.GetProperty("health").GetString());
        Assert.True(view.GetProperty("clients").GetInt64() >= 1);
        var console = await ConsoleAsync(provider);
        var copies = console.GetProperty("clients").EnumerateArray()
            .Where(c => c.GetProperty("client").GetProperty("tenantId").GetGuid() == tenant.Id).ToList();
        Assert.Equal(["Member " + keyId, "local"], copies.Select(c => c.GetProperty("source").GetString()).Order(StringComparer.Ordinal));
        Assert.All(copies, c => Assert.False(c.GetProperty("stale").GetBoolean()));
    }

    [Fact]
    public async Task A_member_that_is_down_is_failing_with_its_reason_and_the_console_still_answers()
    {
        var provider = await fixture.LoginAsync("provider");
        var keyId = "down-" + Guid.NewGuid().ToString("N")[..12];
        var member = await RegisterMemberAsync(provider, new
        {
            name = "Unreachable " + keyId, baseUrl = "http://127.0.0.1:9/", keyId, algorithm = "ed25519", privateKey = Convert.ToBase64String(PeerSigner.NewEd25519().Seed).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
        });

        using var pulled = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, $"/api/v1/provider/federation/members/{member}/pull", provider));

        var view = await pulled.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, pulled.StatusCode);
        Assert.Equal("failing", view.GetProperty("health").GetString());
        Assert.Contains("could not be reached", view.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        var console = await ConsoleAsync(provider);
        Assert.Contains(console.GetProperty("members").EnumerateArray(), m => m.GetProperty("id").GetGuid() == member && m.GetProperty("health").GetString() == "failing");
        Assert.Contains(console.GetProperty("clients").EnumerateArray(), c => c.GetProperty("source").GetString() == "local");
    }

    [Fact]
    public async Task A_member_whose_key_the_member_does_not_know_is_failing_with_the_member_s_401()
    {
        var provider = await fixture.LoginAsync("provider");
        var keyId = "unknown-" + Guid.NewGuid().ToString("N")[..12];
        var member = await RegisterMemberAsync(provider, new
        {
            name = "Stranger " + keyId, baseUrl = fixture.Client.BaseAddress!.AbsoluteUri, keyId, algorithm = "hmac-sha256",
            sharedSecret = Convert.ToBase64String(new byte[32]),
        });

        using var pulled = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, $"/api/v1/provider/federation/members/{member}/pull", provider));

        var view = await pulled.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("failing", view.GetProperty("health").GetString());
        Assert.Contains("HTTP 401", view.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Contains("is not known", view.GetProperty("lastError").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_member_registration_names_every_bad_field()
    {
        var provider = await fixture.LoginAsync("provider");

        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/provider/federation/members", provider,
            new { baseUrl = "http://member.example.com/", keyId = "ok-key", algorithm = "hmac-sha256", sharedSecret = "c2hvcnQ=" }));

        var problem = await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(["baseUrl", "name", "sharedSecret"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
    }

    private async Task<string> RegisterInboundKeyAsync(string provider, string keyId)
    {
        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/provider/federation/keys", provider,
            new { keyId, peerName = "This hub", algorithm = "hmac-sha256" }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sharedSecret").GetString()!;
    }

    private async Task<Guid> RegisterMemberAsync(string provider, object registration)
    {
        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/provider/federation/members", provider, registration));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var member = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("pending", member.GetProperty("health").GetString());
        return member.GetProperty("id").GetGuid();
    }

    private async Task<JsonElement> ConsoleAsync(string provider)
    {
        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/provider/federation/clients", provider));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
