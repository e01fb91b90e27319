using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Http;

[Collection(HostCollection.Name)]
public sealed class IdempotencyKeyTests(HostFixture fixture)
{
    [Fact]
    public async Task A_repeated_create_with_the_same_key_returns_the_first_response_and_creates_once()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var key = Guid.NewGuid().ToString();

        using var first = await fixture.Client.SendAsync(WithKey(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken, new { firstName = "Once", email = "once@example.com" }), key));
        using var second = await fixture.Client.SendAsync(WithKey(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken, new { firstName = "Once", email = "once@example.com" }), key));
        using var list = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/leads", tenant.OwnerToken));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(
            (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid(),
            (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        Assert.Single((await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_409()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var key = Guid.NewGuid().ToString();

        using var first = await fixture.Client.SendAsync(WithKey(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken, new { firstName = "A" }), key));
        using var other = await fixture.Client.SendAsync(WithKey(HostFixture.Authorized(HttpMethod.Post, "/api/v1/leads", tenant.OwnerToken, new { firstName = "B" }), key));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        await PlatformEndpointTests.AssertProblemAsync(other, HttpStatusCode.Conflict);
    }

    private static HttpRequestMessage WithKey(HttpRequestMessage request, string key)
    {
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }
}
