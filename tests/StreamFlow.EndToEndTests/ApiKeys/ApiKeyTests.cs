using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.ApiKeys;

/// <summary>API keys through the standalone host: shown once, scoped, client routes only, audited, revocable, rotated, limited.</summary>
[Collection(HostCollection.Name)]
public sealed partial class ApiKeyTests(HostFixture fixture)
{
    [Fact]
    public async Task A_key_is_shown_once_with_a_visible_prefix_and_lists_never_show_it()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        var (id, key, created) = await CreateKeyAsync(tenant, new { name = "CRM sync", scopes = new[] { "LeadsRead", "leadswrite" } });
        using var list = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/api-keys", tenant.OwnerToken));
        var listed = await list.Content.ReadAsStringAsync();

        var match = KeyFormat().Match(key);
        Assert.True(match.Success, key);
        Assert.Equal(match.Groups["prefix"].Value, created.GetProperty("prefix").GetString());
        Assert.Equal(["LeadsRead", "LeadsWrite"], created.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("active", created.GetProperty("status").GetString());
        Assert.Contains(id.ToString(), listed, StringComparison.Ordinal);
        Assert.DoesNotContain(key[^20..], listed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_is_accepted_as_X_Api_Key_and_as_bearer_where_its_scopes_allow_and_refused_with_403_elsewhere()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var (_, key, _) = await CreateKeyAsync(tenant, new { name = "Website", scopes = new[] { "LeadsRead", "LeadsWrite" } });

        using var createdLead = await SendWithKeyAsync(HttpMethod.Post, "/api/v1/leads", key, new { firstName = "Kay", source = "Website" });
        using var readByHeader = await SendWithKeyAsync(HttpMethod.Get, "/api/v1/leads", key);
        using var readByBearer = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/leads", key));
        using var users = await SendWithKeyAsync(HttpMethod.Get, "/api/v1/users", key);
        using var me = await SendWithKeyAsync(HttpMethod.Get, "/api/v1/auth/me", key);

        Assert.Equal(HttpStatusCode.Created, createdLead.StatusCode);
        Assert.Equal(HttpStatusCode.OK, readByHeader.StatusCode);
        Assert.Equal(HttpStatusCode.OK, readByBearer.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, users.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, me.StatusCode);
        Assert.Contains("Kay", await readByHeader.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/provider/tenants", true)]
    [InlineData("/api/v1/provider/tenants", false)]
    [InlineData("/api/v1/dev/health/history", true)]
    [InlineData("/api/v1/dev/health/history", false)]
    public async Task A_key_never_reaches_provider_or_developer_routes(string path, bool asHeader)
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var (_, key, _) = await CreateKeyAsync(tenant, new { name = "Everything", scopes = Everything });

        using var response = asHeader
            ? await SendWithKeyAsync(HttpMethod.Get, path, key)
            : await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, path, key));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_key_means_nothing_on_anonymous_routes()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var (id, key, _) = await CreateKeyAsync(tenant, new { name = "Website", scopes = new[] { "LeadsRead" } });

        using var login = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login")
        {
            Content = JsonContent.Create(new { tenant = tenant.Slug, email = tenant.OwnerEmail, password = "not the password" }),
        };
        login.Headers.Add("X-Api-Key", key);
        using var refused = await fixture.Client.SendAsync(login);
        using var health = await SendWithKeyAsync(HttpMethod.Get, "/api/health", key);
        var keyNow = await GetKeyAsync(tenant, id);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, health.StatusCode);
        Assert.Equal(JsonValueKind.Null, keyNow.GetProperty("lastUsedAt").ValueKind);
        Assert.DoesNotContain("apikey.call", await AuditActionsAsync(tenant));
    }

    [Fact]
    public async Task Every_call_with_a_key_is_audited_with_its_name_and_changes_carry_the_key_as_actor()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var (id, key, _) = await CreateKeyAsync(tenant, new { name = "Zapier bridge", scopes = new[] { "LeadsRead", "LeadsWrite" } });

        using var first = await SendWithKeyAsync(HttpMethod.Get, "/api/v1/leads", key);
        using var second = await SendWithKeyAsync(HttpMethod.Post, "/api/v1/leads", key, new { firstName = "Audit", source = "Zapier" });
        var entries = await AuditEntriesAsync(tenant);

        var calls = entries.Where(e => e.GetProperty("action").GetString() == "apikey.call").ToList();
        Assert.Equal(2, calls.Count);
        Assert.All(calls, call =>
        {
            Assert.Equal($"apikey:{id}", call.GetProperty("actor").GetString());
            Assert.Equal("Zapier bridge", call.GetProperty("details").GetProperty("name").GetString());
        });
        Assert.Contains(calls, call => call.GetProperty("target").GetString() == "POST /api/v1/leads");
        Assert.NotEqual(JsonValueKind.Null, (await GetKeyAsync(tenant, id)).GetProperty("lastUsedAt").ValueKind);
    }

    [Fact]
    public async Task A_revoked_key_is_refused_at_once()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var (id, key, _) = await CreateKeyAsync(tenant, new { name = "Old", scopes = new[] { "LeadsRead" } });

        using var revoke = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Delete, $"/api/v1/api-keys/{id}", tenant.OwnerToken));
        using var after = await SendWithKeyAsync(HttpMethod.Get, "/api/v1/leads", key);
        using var again = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Delete, $"/api/v1/api-keys/{id}", tenant.OwnerToken));

        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal("revoked", (await revoke.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Rotation_keeps_the_old_key_during_the_overlap_and_ends_it_when_asked()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var (id, oldKey, _) = await CreateKeyAsync(tenant, new { name = "Rotating", scopes = new[] { "LeadsRead" } });

        using var rotate = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, $"/api/v1/api-keys/{id}/rotate", tenant.OwnerToken,
            new { oldKeyValidUntil = DateTimeOffset.UtcNow.AddHours(1) }));
        var successor = await rotate.Content.ReadFromJsonAsync<JsonElement>();
        var newKey = successor.GetProperty("key").GetString()!;
        var newId = successor.GetProperty("apiKey").GetProperty("id").GetGuid();
        using var oldDuringOverlap = await SendWithKeyAsync(HttpMethod.Get, "/api/v1/leads", oldKey);
        using var newOne = await SendWithKeyAsync(HttpMethod.Get, "/api/v1/leads", newKey);
        using var rotateAgain = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, $"/api/v1/api-keys/{id}/rotate", tenant.OwnerToken, new { }));
        using var endNow = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, $"/api/v1/api-keys/{newId}/rotate", tenant.OwnerToken,
            new { oldKeyValidUntil = DateTimeOffset.UtcNow.AddMinutes(-1) }));
        using var endedKey = await SendWithKeyAsync(HttpMethod.Get, "/api/v1/leads", newKey);

        Assert.Equal(HttpStatusCode.Created, rotate.StatusCode);
        Assert.Equal("Rotating", successor.GetProperty("apiKey").GetProperty("name").GetString());
        Assert.Equal(newId, (await GetKeyAsync(tenant, id)).GetProperty("replacedBy").GetGuid());
        Assert.Equal(HttpStatusCode.OK, oldDuringOverlap.StatusCode);
        Assert.Equal(HttpStatusCode.OK, newOne.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, rotateAgain.StatusCode);
        Assert.Equal(HttpStatusCode.Created, endNow.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, endedKey.StatusCode);
    }

    [Fact]
    public async Task Scopes_must_be_grantable_permissions_and_the_field_is_named()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var unknown = await CreateRawAsync(tenant.OwnerToken, new { name = "x", scopes = new[] { "LeadsEverything" } });
        using var self = await CreateRawAsync(tenant.OwnerToken, new { name = "x", scopes = new[] { "Self" } });
        using var keys = await CreateRawAsync(tenant.OwnerToken, new { name = "x", scopes = new[] { "ApiKeysManage" } });
        using var numeric = await CreateRawAsync(tenant.OwnerToken, new { name = "x", scopes = new[] { "5" } });
        using var none = await CreateRawAsync(tenant.OwnerToken, new { name = "", scopes = Array.Empty<string>(), expiresAt = DateTimeOffset.UtcNow.AddDays(-1) });

        foreach (var response in new[] { unknown, self, keys, numeric })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("scopes", out _));
        }

        var errors = (await none.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["expiresAt", "name", "scopes"], errors.EnumerateObject().Select(e => e.Name).Order());
    }

    [Fact]
    public async Task Only_owners_and_admins_manage_keys_and_a_key_cannot_mint_keys()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var manager = await Tenants.AddUserAsync(fixture, tenant, "manager");
        var (_, key, _) = await CreateKeyAsync(tenant, new { name = "Everything", scopes = Everything });

        using var byManager = await CreateRawAsync(manager.Token, new { name = "mine", scopes = new[] { "LeadsRead" } });
        using var byKey = await SendWithKeyAsync(HttpMethod.Post, "/api/v1/api-keys", key, new { name = "child", scopes = new[] { "LeadsRead" } });

        Assert.Equal(HttpStatusCode.Forbidden, byManager.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byKey.StatusCode);
    }

    [Fact]
    public async Task Each_key_has_its_own_rate_limit()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var (_, limited, _) = await CreateKeyAsync(tenant, new { name = "Slow", scopes = new[] { "LeadsRead" }, requestsPerMinute = 2 });
        var (_, other, _) = await CreateKeyAsync(tenant, new { name = "Other", scopes = new[] { "LeadsRead" } });

        using var first = await SendWithKeyAsync(HttpMethod.Get, "/api/v1/leads", limited);
        using var second = await SendWithKeyAsync(HttpMethod.Get, "/api/v1/leads", limited);
        using var third = await SendWithKeyAsync(HttpMethod.Get, "/api/v1/leads", limited);
        using var otherKey = await SendWithKeyAsync(HttpMethod.Get, "/api/v1/leads", other);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.NotNull(third.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, otherKey.StatusCode);
    }

    [Theory]
    [InlineData("sf_live_abcdefghij_notbase64!")]
    [InlineData("sf_live_")]
    [InlineData("something else entirely")]
    public async Task Malformed_and_unknown_keys_are_401_problems(string key)
    {
        using var response = await SendWithKeyAsync(HttpMethod.Get, "/api/v1/leads", key);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static readonly string[] Everything =
        ["UsersRead", "UsersManage", "AuditRead", "SettingsManage", "LeadsRead", "LeadsWrite", "LeadsAssign", "LeadsDelete", "LeadsRestore",
         "LeadsImport", "ScoringManage", "PipelineManage", "WebhooksManage", "AiUse", "AiUsageRead", "ReportsRead", "ReportsSend",
         "InvoicesRead", "RfpsRead", "RfpsWrite"];

    private async Task<(Guid Id, string Key, JsonElement ApiKey)> CreateKeyAsync(TestTenant tenant, object body)
    {
        using var response = await CreateRawAsync(tenant.OwnerToken, body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var apiKey = created.GetProperty("apiKey");
        return (apiKey.GetProperty("id").GetGuid(), created.GetProperty("key").GetString()!, apiKey);
    }

    private Task<HttpResponseMessage> CreateRawAsync(string token, object body) =>
        fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/api-keys", token, body));

    private Task<HttpResponseMessage> SendWithKeyAsync(HttpMethod method, string path, string key, object? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("X-Api-Key", key);
        if (json is not null)
        {
            request.Content = JsonContent.Create(json);
        }

        return fixture.Client.SendAsync(request);
    }

    private async Task<JsonElement> GetKeyAsync(TestTenant tenant, Guid id)
    {
        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, $"/api/v1/api-keys/{id}", tenant.OwnerToken));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<List<JsonElement>> AuditEntriesAsync(TestTenant tenant)
    {
        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/audit?limit=200", tenant.OwnerToken));
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()];
    }

    private async Task<List<string?>> AuditActionsAsync(TestTenant tenant) =>
        [.. (await AuditEntriesAsync(tenant)).Select(e => e.GetProperty("action").GetString())];

    [GeneratedRegex("^sf_live_(?<prefix>[a-z2-7]{10})_[A-Za-z0-9_-]{64}$")]
    private static partial Regex KeyFormat();
}
