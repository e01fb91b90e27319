using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Connections;

/// <summary>Connection routes through the standalone host: validation naming the field, credentials never shown, changes. No sync runs here (it would reach out).</summary>
[Collection(HostCollection.Name)]
public sealed class ConnectionRouteTests(HostFixture fixture)
{
    [Fact]
    public async Task A_connection_is_created_read_and_listed_without_its_credentials()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var created = await SendAsync(HttpMethod.Post, "/api/v1/connections", tenant, new
        {
            kind = "sam_gov", name = "HVAC solicitations", schedule = "manual",
            settings = new { naicsCodes = new[] { "238220" }, noticeTypes = new[] { "o" } }, credentials = new { apiKey = "SAM-secret-key-123" },
        });
        var body = await created.Content.ReadAsStringAsync();
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
        using var read = await SendAsync(HttpMethod.Get, $"/api/v1/connections/{id}", tenant);
        using var listed = await SendAsync(HttpMethod.Get, "/api/v1/connections", tenant);
        var listedBody = await listed.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/v1/connections/{id}", created.Headers.Location?.OriginalString);
        Assert.DoesNotContain("SAM-secret-key-123", body + listedBody + await read.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var view = await read.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("sam_gov", "new", "manual"), (view.GetProperty("kind").GetString(), view.GetProperty("health").GetString(), view.GetProperty("schedule").GetString()));
        Assert.Equal("238220", view.GetProperty("settings").GetProperty("naicsCodes")[0].GetString());
        Assert.Single(JsonDocument.Parse(listedBody).RootElement.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Bad_settings_and_missing_credentials_are_a_400_naming_each_field()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var response = await SendAsync(HttpMethod.Post, "/api/v1/connections", tenant, new
        {
            kind = "sam_gov", name = "x", schedule = "weekly",
            settings = new { naicsCodes = new[] { "HVAC" }, states = new[] { "Virginia" }, lookbackDays = 400, noticeTypes = new[] { "f" } },
        });
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        foreach (var field in new[] { "schedule", "settings.naicsCodes", "settings.states", "settings.lookbackDays", "settings.noticeTypes", "credentials.apiKey" })
        {
            Assert.True(errors.TryGetProperty(field, out _), field);
        }
    }

    [Theory]
    [InlineData("""{"kind":"xero","name":"Books","credentials":{"apiKey":"k"}}""", "kind")]
    [InlineData("""{"kind":"quickbooks","name":"Books","credentials":{"apiKey":"k"}}""", "credentials")]
    [InlineData("""{"kind":"quickbooks","name":"Books","settings":{"realmId":"12ab"}}""", "settings.realmId")]
    [InlineData("""{"kind":"sam_gov","name":"S","settings":{"naicsCodes":"238220"},"credentials":{"apiKey":"k"}}""", "settings.naicsCodes")]
    [InlineData("""{"kind":"sam_gov","name":"S","settings":[1],"credentials":{"apiKey":"k"}}""", "settings")]
    public async Task Wrong_kinds_and_types_are_a_400_not_a_500(string json, string field)
    {
        var tenant = await Tenants.CreateAsync(fixture);
        using var request = HostFixture.Authorized(HttpMethod.Post, "/api/v1/connections", tenant.OwnerToken);
        request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");

        using var response = await fixture.Client.SendAsync(request);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task A_change_keeps_what_it_does_not_name_and_a_deleted_connection_is_gone()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        using var created = await SendAsync(HttpMethod.Post, "/api/v1/connections", tenant, new
        {
            kind = "sam_gov", name = "Before", schedule = "manual", settings = new { states = new[] { "VA" } }, credentials = new { apiKey = "k-123" },
        });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        using var changed = await SendAsync(HttpMethod.Patch, $"/api/v1/connections/{id}", tenant, new { name = "After", enabled = false });
        var view = await changed.Content.ReadFromJsonAsync<JsonElement>();
        using var sync = await SendAsync(HttpMethod.Post, $"/api/v1/connections/{id}/syncs", tenant);
        using var deleted = await SendAsync(HttpMethod.Delete, $"/api/v1/connections/{id}", tenant);
        using var gone = await SendAsync(HttpMethod.Get, $"/api/v1/connections/{id}", tenant);

        Assert.Equal(("After", false, "VA"), (view.GetProperty("name").GetString(), view.GetProperty("enabled").GetBoolean(), view.GetProperty("settings").GetProperty("states")[0].GetString()));
        Assert.Equal(HttpStatusCode.Conflict, sync.StatusCode);
        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NotFound), (deleted.StatusCode, gone.StatusCode));
    }

    [Fact]
    public async Task Another_tenants_connection_is_a_404()
    {
        var owner = await Tenants.CreateAsync(fixture);
        var other = await Tenants.CreateAsync(fixture);
        using var created = await SendAsync(HttpMethod.Post, "/api/v1/connections", owner, new
        {
            kind = "sam_gov", name = "Mine", schedule = "manual", credentials = new { apiKey = "k-123" },
        });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        using var read = await SendAsync(HttpMethod.Get, $"/api/v1/connections/{id}", other);
        using var syncs = await SendAsync(HttpMethod.Get, $"/api/v1/connections/{id}/syncs", other);

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (read.StatusCode, syncs.StatusCode));
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, TestTenant tenant, object? json = null) =>
        fixture.Client.SendAsync(HostFixture.Authorized(method, path, tenant.OwnerToken, json));
}
