using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Federation;

/// <summary>
/// Two StreamFlow instances: the shared test host is the hub, a second standalone host with a database of its own is
/// the member. The hub pulls it with its scheduled durable pull, its console shows the member's clients (never a lead
/// or a contact), and once the member is killed its clients stay in the console, stale with their age.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class FederationTwoHostTests(HostFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan PatientWait = TimeSpan.FromMinutes(3);
    private readonly string _memberDatabase = $"streamflow_fed_member_{Guid.NewGuid():N}"[..40];
    private StandaloneHost _member = null!;

    public async Task InitializeAsync()
    {
        await AdminAsync($"CREATE DATABASE {_memberDatabase} OWNER streamflow_owner; GRANT CONNECT ON DATABASE {_memberDatabase} TO streamflow_app;");
        // A database of its own, migrated by the host at start-up (Migrations:ApplyOnStartup), makes it a separate instance.
        _member = new StandaloneHost(TestEnvironment.ApiPort + 82, TestEnvironment.SidecarPort + 82, "StreamFlowFederationMember", new Dictionary<string, string>
        {
            ["Postgres__OwnerConnectionString"] = InMemberDatabase("Postgres__OwnerConnectionString"),
            ["Postgres__AppConnectionString"] = InMemberDatabase("Postgres__AppConnectionString"),
            ["Postgres__BackupConnectionString"] = InMemberDatabase("Postgres__BackupConnectionString"),
            ["Audit__ChainHeadBlob"] = $"audit/{_memberDatabase}/chain-head.json",
        });
        await _member.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _member.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await AdminAsync($"DROP DATABASE IF EXISTS {_memberDatabase} WITH (FORCE)");
    }

    [Fact]
    public async Task A_hub_pulls_a_second_instance_s_clients_without_personal_data_and_shows_them_stale_once_it_is_down()
    {
        var memberProvider = await ProviderLoginAsync(_member.Client);
        var clients = new[] { await CreateClientWithLeadAsync(memberProvider), await CreateClientWithLeadAsync(memberProvider) };
        var (seed, publicKey) = PeerSigner.NewEd25519();
        var keyId = "hub-" + Guid.NewGuid().ToString("N")[..12];
        await SendAsync(_member.Client, HttpMethod.Post, "/api/v1/provider/federation/keys", memberProvider, new { keyId, peerName = "Provider hub", algorithm = "ed25519", publicKey }, HttpStatusCode.Created);
        var hubProvider = await fixture.LoginAsync("provider");
        var memberName = "Dedicated " + keyId;
        var memberId = (await SendAsync(fixture.Client, HttpMethod.Post, "/api/v1/provider/federation/members", hubProvider, new
        {
            name = memberName, baseUrl = _member.Client.BaseAddress!.AbsoluteUri, keyId, algorithm = "ed25519",
            privateKey = Convert.ToBase64String(seed).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
        }, HttpStatusCode.Created)).GetProperty("id").GetGuid();

        await SendAsync(fixture.Client, HttpMethod.Post, "/admin/functions/PullFederationMembers", await fixture.LoginAsync("dev"), null, HttpStatusCode.Accepted);
        var (pulled, consoleText) = await WaitForConsoleAsync(hubProvider, console => MemberOf(console, memberId).GetProperty("health").GetString() == "healthy");

        var copies = RemoteCopies(pulled, memberId);
        Assert.Equal(clients.Select(c => c.Tenant.Id).Order(), copies.Select(c => c.GetProperty("client").GetProperty("tenantId").GetGuid()).Order());
        Assert.All(copies, c => Assert.Equal(memberName, c.GetProperty("source").GetString()));
        Assert.All(copies, c => Assert.False(c.GetProperty("stale").GetBoolean()));
        Assert.All(copies, c => Assert.Equal(1, c.GetProperty("client").GetProperty("leadsCreated").GetInt64()));
        Assert.All(clients, c => Assert.DoesNotContain(c.LeadEmail, consoleText, StringComparison.OrdinalIgnoreCase));
        Assert.All(clients, c => Assert.DoesNotContain(c.Tenant.OwnerEmail, consoleText, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(LeadLastName, consoleText, StringComparison.Ordinal);
        Assert.DoesNotContain("Olive Owner", consoleText, StringComparison.Ordinal);

        await _member.KillAsync();
        var down = await SendAsync(fixture.Client, HttpMethod.Post, $"/api/v1/provider/federation/members/{memberId}/pull", hubProvider, null, HttpStatusCode.OK);
        var (afterKill, _) = await WaitForConsoleAsync(hubProvider, _ => true);

        Assert.Equal("failing", down.GetProperty("health").GetString());
        Assert.Contains("could not be reached", down.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Number, MemberOf(afterKill, memberId).GetProperty("lagSeconds").ValueKind);
        var staleCopies = RemoteCopies(afterKill, memberId);
        Assert.Equal(clients.Length, staleCopies.Count);
        Assert.All(staleCopies, c => Assert.True(c.GetProperty("stale").GetBoolean()));
        Assert.All(staleCopies, c => Assert.True(c.GetProperty("ageSeconds").GetInt64() >= 0));
        Assert.Contains(afterKill.GetProperty("clients").EnumerateArray(), c => c.GetProperty("source").GetString() == "local");
    }

    private const string LeadLastName = "Federationtestlead";

    private sealed record MemberClient(TestTenant Tenant, string LeadEmail);

    private async Task<MemberClient> CreateClientWithLeadAsync(string memberProvider)
    {
        var slug = $"fed-{Guid.NewGuid():N}"[..20];
        var ownerEmail = $"owner@{slug}.example.com";
        var tenant = await SendAsync(_member.Client, HttpMethod.Post, "/api/v1/provider/tenants", memberProvider, new
        {
            name = $"Business {slug}", slug, industry = "hvac", owner = new { email = ownerEmail, name = "Olive Owner", password = Tenants.Password }, applyTemplate = false,
        }, HttpStatusCode.Created);
        using var login = await _member.Client.PostAsJsonAsync("/api/v1/auth/login", new { tenant = slug, email = ownerEmail, password = Tenants.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var ownerToken = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        var leadEmail = $"dana-{Guid.NewGuid():N}@example.com";
        await SendAsync(_member.Client, HttpMethod.Post, "/api/v1/leads", ownerToken, new { firstName = "Dana", lastName = LeadLastName, email = leadEmail, source = "web" }, HttpStatusCode.Created);
        return new MemberClient(new TestTenant(tenant.GetProperty("id").GetGuid(), slug, ownerEmail, Tenants.Password, ownerToken), leadEmail);
    }

    /// <summary>Reads the hub's console until <paramref name="ready"/> holds; generous, because the durable pull runs on a loaded machine.</summary>
    private async Task<(JsonElement Console, string Text)> WaitForConsoleAsync(string provider, Func<JsonElement, bool> ready)
    {
        var deadline = DateTime.UtcNow + PatientWait;
        while (true)
        {
            using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/provider/federation/clients", provider));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync();
            var console = JsonDocument.Parse(text).RootElement.Clone();
            if (ready(console))
            {
                return (console, text);
            }

            Assert.True(DateTime.UtcNow < deadline, $"The hub's console did not get there within {PatientWait}: {text}");
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private static JsonElement MemberOf(JsonElement console, Guid memberId) =>
        console.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == memberId);

    private static List<JsonElement> RemoteCopies(JsonElement console, Guid memberId) =>
        console.GetProperty("clients").EnumerateArray()
            .Where(c => c.GetProperty("memberId").ValueKind == JsonValueKind.String && c.GetProperty("memberId").GetGuid() == memberId).ToList();

    private static async Task<string> ProviderLoginAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/provider/auth/login", new
        {
            email = TestEnvironment.Setting("STREAMFLOW_PROVIDER_EMAIL"),
            password = TestEnvironment.Setting("STREAMFLOW_PROVIDER_PASSWORD"),
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    private static async Task<JsonElement> SendAsync(HttpClient client, HttpMethod method, string path, string token, object? body, HttpStatusCode expected)
    {
        using var response = await client.SendAsync(HostFixture.Authorized(method, path, token, body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private string InMemberDatabase(string setting) =>
        new NpgsqlConnectionStringBuilder(TestEnvironment.Setting(setting)) { Database = _memberDatabase }.ConnectionString;

    private static async Task AdminAsync(string sql)
    {
        await using var admin = new NpgsqlConnection(TestEnvironment.Setting("STREAMFLOW_TEST_PG_ADMIN"));
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand(sql, admin);
        await command.ExecuteNonQueryAsync();
    }
}
