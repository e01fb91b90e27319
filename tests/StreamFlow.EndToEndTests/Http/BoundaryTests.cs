using System.Net;
using System.Net.Http.Json;
using System.Text;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Http;

/// <summary>Input the database would refuse, and the headers every answer carries (issue #12).</summary>
[Collection(HostCollection.Name)]
public sealed class BoundaryTests(HostFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task A_nul_in_a_json_string_is_a_400_naming_the_field_even_without_signing_in()
    {
        using var login = await Client.PostAsJsonAsync("/api/v1/auth/login", new { tenant = "acme", email = "a\u0000@b.c", password = "x" });
        using var reset = await Client.PostAsJsonAsync("/api/v1/auth/password-reset", new { tenant = "acme\u0000", email = "a@b.c" });

        var loginProblem = await PlatformEndpointTests.AssertProblemAsync(login, HttpStatusCode.BadRequest);
        var resetProblem = await PlatformEndpointTests.AssertProblemAsync(reset, HttpStatusCode.BadRequest);
        Assert.True(loginProblem.GetProperty("errors").TryGetProperty("email", out _));
        Assert.True(resetProblem.GetProperty("errors").TryGetProperty("tenant", out _));
    }

    [Theory]
    [InlineData("/api/v1/leads?stage=%00", "stage")]
    [InlineData("/api/v1/leads?q=a%01b", "q")]
    [InlineData("/api/v1/reports/summary?date=0001-01-01", "date")]
    [InlineData("/api/v1/reports/summary?date=9999-12-31", "date")]
    public async Task A_bad_query_value_is_a_400_naming_the_parameter(string path, string field)
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var response = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, path, tenant.OwnerToken));

        var problem = await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task A_multipart_content_type_on_a_body_that_is_not_multipart_is_a_400()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var request = HostFixture.Authorized(HttpMethod.Post, "/api/v1/rfps", tenant.OwnerToken);
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes("this is not a multipart body"));
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=xyz");

        using var response = await Client.SendAsync(request);

        await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Token_bearing_answers_and_errors_carry_the_security_headers()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var login = await Tenants.TryLoginAsync(fixture, tenant.Slug, tenant.OwnerEmail, tenant.OwnerPassword);
        using var notFound = await Client.GetAsync("/api/v1/no-such-route");

        foreach (var response in new[] { login, notFound })
        {
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("frame-ancestors 'none'", string.Join(",", response.Headers.GetValues("Content-Security-Policy")));
        }
    }

    [Fact]
    public async Task Password_resets_are_rate_limited_per_account()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var accepted = await Client.PostAsJsonAsync("/api/v1/auth/password-reset", new { tenant = tenant.Slug, email = "nobody@example.com" });
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        using var limited = await Client.PostAsJsonAsync("/api/v1/auth/password-reset", new { tenant = tenant.Slug, email = "nobody@example.com" });

        await PlatformEndpointTests.AssertProblemAsync(limited, HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }
}
