using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace StreamFlow.EndToEndTests;

[Collection(HostCollection.Name)]
public sealed class PlatformEndpointTests(HostFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Health_is_ok_with_postgres_blob_storage_and_durable_checks()
    {
        using var response = await Client.GetAsync("/api/health");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal(["blobStorage", "durable", "postgres"], body.GetProperty("checks").EnumerateObject().Select(c => c.Name).Order());
    }

    [Fact]
    public async Task OpenApi_document_describes_the_served_routes()
    {
        using var response = await Client.GetAsync("/api/openapi.json");
        var document = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("3.1.0", document.GetProperty("openapi").GetString());
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/health", paths);
        Assert.Contains("/api/v1/dev/self-tests/{id}", paths);
    }

    [Theory]
    [InlineData("/api/no-such-thing")]
    [InlineData("/not-under-api")]
    public async Task Unknown_routes_get_a_problem_404(string path)
    {
        using var response = await Client.GetAsync(path);

        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem_with_field_errors()
    {
        using var response = await Client.PostAsync("/api/v1/dev/auth/login", new StringContent("{\"email\": ", Encoding.UTF8, "application/json"));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.TryGetProperty("errors", out _));
    }

    [Fact]
    public async Task Wrong_content_type_is_a_415_problem()
    {
        using var response = await Client.PostAsync("/api/v1/dev/auth/login", new StringContent("email=a", Encoding.UTF8, "application/x-www-form-urlencoded"));

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Oversized_body_is_a_413_problem()
    {
        var huge = $"{{\"email\":\"{new string('a', 2 * 1024 * 1024)}\"}}";
        using var response = await Client.PostAsync("/api/v1/dev/auth/login", new StringContent(huge, Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Missing_fields_are_listed_in_one_400()
    {
        using var response = await Client.PostAsJsonAsync("/api/v1/provider/auth/login", new { });

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(["email", "password"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
    }

    [Fact]
    public async Task Wrong_password_is_a_401_that_does_not_say_which_part_was_wrong()
    {
        using var wrongPassword = await Client.PostAsJsonAsync("/api/v1/dev/auth/login", new { email = TestEnvironment.Setting("STREAMFLOW_DEV_EMAIL"), password = "wrong" });
        using var unknownUser = await Client.PostAsJsonAsync("/api/v1/dev/auth/login", new { email = "nobody@example.test", password = "wrong" });

        var first = await AssertProblemAsync(wrongPassword, HttpStatusCode.Unauthorized);
        var second = await AssertProblemAsync(unknownUser, HttpStatusCode.Unauthorized);
        Assert.Equal(first.GetProperty("detail").GetString(), second.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_provider_token_is_refused_on_developer_routes()
    {
        var providerToken = await fixture.LoginAsync("provider");

        using var response = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/dev/health/history", providerToken));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Correlation_id_is_echoed_and_used_as_the_trace_id()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/nowhere");
        request.Headers.Add("X-Correlation-Id", "e2e-correlation-1");

        using var response = await Client.SendAsync(request);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("e2e-correlation-1", response.Headers.GetValues("X-Correlation-Id").Single());
        Assert.Equal("e2e-correlation-1", problem.GetProperty("traceId").GetString());
    }

    internal static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        return problem;
    }
}
