using System.Net;
using System.Text;

namespace StreamFlow.EndToEndTests.Identity;

/// <summary>A token of one system gets 401 on the routes of the other two: all six pairs, plus forged tokens.</summary>
[Collection(HostCollection.Name)]
public sealed class SystemIsolationTests(HostFixture fixture)
{
    private static readonly Dictionary<string, (HttpMethod Method, string Path)> RouteOf = new()
    {
        ["client"] = (HttpMethod.Get, "/api/v1/auth/me"),
        ["provider"] = (HttpMethod.Get, "/api/v1/provider/tenants"),
        ["dev"] = (HttpMethod.Get, "/api/v1/dev/health/history"),
    };

    [Theory]
    [InlineData("client", "provider")]
    [InlineData("client", "dev")]
    [InlineData("provider", "client")]
    [InlineData("provider", "dev")]
    [InlineData("dev", "client")]
    [InlineData("dev", "provider")]
    public async Task A_token_of_one_system_is_refused_by_another(string tokenOf, string routeOf)
    {
        var token = await TokenOfAsync(tokenOf);
        var (method, path) = RouteOf[routeOf];

        using var refused = await fixture.Client.SendAsync(HostFixture.Authorized(method, path, token));
        using var accepted = await fixture.Client.SendAsync(HostFixture.Authorized(RouteOf[tokenOf].Method, RouteOf[tokenOf].Path, token));

        await PlatformEndpointTests.AssertProblemAsync(refused, HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Theory]
    [InlineData("provider")]
    [InlineData("dev")]
    public async Task Tampered_truncated_and_alg_none_operator_tokens_are_refused(string system)
    {
        var token = await TokenOfAsync(system);
        var parts = token.Split('.');
        var noneHeader = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"alg":"none","typ":"JWT"}""")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        string[] forged =
        [
            $"{parts[0]}.{parts[1]}x.{parts[2]}",
            $"{parts[0]}.{parts[1]}",
            $"{noneHeader}.{parts[1]}.",
            token[..^2],
        ];

        foreach (var candidate in forged)
        {
            using var response = await fixture.Client.SendAsync(HostFixture.Authorized(RouteOf[system].Method, RouteOf[system].Path, candidate));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task Forged_and_truncated_client_tokens_are_refused()
    {
        var token = await TokenOfAsync("client");
        string[] forged = [token[..^3], token + "A", "sf_" + new string('A', 64), "sf_not-base64!!", token.Replace("sf_", "xx_", StringComparison.Ordinal)];

        foreach (var candidate in forged)
        {
            using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/auth/me", candidate));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    private async Task<string> TokenOfAsync(string system) => system switch
    {
        "client" => (await Tenants.CreateAsync(fixture)).OwnerToken,
        _ => await fixture.LoginAsync(system),
    };
}
