using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Federation;

/// <summary>
/// Federation over HTTP: the provider registers a peer's key, the peer reads client aggregates with a signed request,
/// and every bad, stale, replayed or wrong-key signature is a 401 that is audited.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class FederationRouteTests(HostFixture fixture)
{
    [Fact]
    public async Task A_peer_with_a_registered_shared_secret_reads_client_aggregates_and_nothing_personal()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var peer = await RegisterHmacAsync();

        using var response = await fixture.Client.SendAsync(peer.Get(ClientsUri, DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var client = JsonDocument.Parse(text).RootElement.GetProperty("clients").EnumerateArray()
            .Single(c => c.GetProperty("tenantId").GetGuid() == tenant.Id);
        Assert.Equal(1, client.GetProperty("activeUsers").GetInt64());
        Assert.DoesNotContain(tenant.OwnerEmail, text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(
            ["activeUsers", "industry", "lastSignInAt", "leadsCreated", "leadsLost", "leadsWon", "name", "status", "tenantId", "wonRevenue"],
            client.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_peer_with_an_ed25519_key_is_verified_by_its_public_key()
    {
        var (seed, publicKey) = PeerSigner.NewEd25519();
        var keyId = "peer-ed-" + Guid.NewGuid().ToString("N")[..8];
        using var registered = await ProviderPostAsync("/api/v1/provider/federation/keys", new { keyId, peerName = "Dedicated instance", algorithm = "ed25519", publicKey });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);

        using var response = await fixture.Client.SendAsync(new PeerSigner(keyId, "ed25519", seed).Get(ClientsUri, DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_replayed_request_is_refused_and_audited()
    {
        var peer = await RegisterHmacAsync();
        var nonce = "replay-" + Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow;
        using var first = await fixture.Client.SendAsync(peer.Get(ClientsUri, created, nonce));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        using var replay = await fixture.Client.SendAsync(peer.Get(ClientsUri, created, nonce));

        await PlatformEndpointTests.AssertProblemAsync(replay, HttpStatusCode.Unauthorized);
        Assert.Contains("Replayed", await RefusalReasonsAsync(peer.KeyId));
    }

    [Fact]
    public async Task Unsigned_stale_future_unknown_and_wrong_key_requests_are_401s_naming_why()
    {
        var peer = await RegisterHmacAsync();
        var now = DateTimeOffset.UtcNow;
        var cases = new (HttpRequestMessage Request, string Reason)[]
        {
            (new HttpRequestMessage(HttpMethod.Get, ClientsUri), "Signature-Input and Signature are required"),
            (peer.Get(ClientsUri, now.AddMinutes(-10)), "expired"),
            (peer.Get(ClientsUri, now.AddMinutes(5)), "future"),
            ((peer with { KeyId = "nobody-" + Guid.NewGuid().ToString("N")[..8] }).Get(ClientsUri, now), "is not known"),
            ((peer with { Key = new byte[32] }).Get(ClientsUri, now), "does not verify"),
        };

        foreach (var (request, reason) in cases)
        {
            using (request)
            using (var response = await fixture.Client.SendAsync(request))
            {
                var problem = await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
                Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }
        }

        Assert.Superset(new HashSet<string> { "Expired", "NotYetValid", "BadSignature" }, (await RefusalReasonsAsync(peer.KeyId)).ToHashSet());
    }

    [Fact]
    public async Task A_retired_key_stops_verifying_while_its_successor_does()
    {
        var old = await RegisterHmacAsync();
        var successor = await RegisterHmacAsync();

        using var retired = await ProviderPostAsync($"/api/v1/provider/federation/keys/{old.KeyId}/retire", new { validUntil = DateTimeOffset.UtcNow });
        Assert.Equal(HttpStatusCode.OK, retired.StatusCode);
        await Task.Delay(TimeSpan.FromMilliseconds(50));

        using var refused = await fixture.Client.SendAsync(old.Get(ClientsUri, DateTimeOffset.UtcNow));
        using var accepted = await fixture.Client.SendAsync(successor.Get(ClientsUri, DateTimeOffset.UtcNow));
        await PlatformEndpointTests.AssertProblemAsync(refused, HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task Client_and_provider_tokens_do_not_open_the_federation_api_and_clients_cannot_register_keys()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var provider = await fixture.LoginAsync("provider");

        using var withProvider = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/federation/clients", provider));
        using var withClient = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/provider/federation/keys", tenant.OwnerToken,
            new { keyId = "k-" + Guid.NewGuid().ToString("N")[..8], peerName = "x", algorithm = "hmac-sha256" }));

        await PlatformEndpointTests.AssertProblemAsync(withProvider, HttpStatusCode.Unauthorized);
        await PlatformEndpointTests.AssertProblemAsync(withClient, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_bad_registration_names_its_fields_and_a_taken_key_id_is_a_conflict()
    {
        using var invalid = await ProviderPostAsync("/api/v1/provider/federation/keys", new { keyId = "has space", algorithm = "rsa", publicKey = "x" });
        var problem = await PlatformEndpointTests.AssertProblemAsync(invalid, HttpStatusCode.BadRequest);
        Assert.Equal(["algorithm", "keyId", "peerName"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());

        var peer = await RegisterHmacAsync();
        using var again = await ProviderPostAsync("/api/v1/provider/federation/keys", new { keyId = peer.KeyId, peerName = "Again", algorithm = "hmac-sha256" });
        await PlatformEndpointTests.AssertProblemAsync(again, HttpStatusCode.Conflict);
    }

    private Uri ClientsUri => new(fixture.Client.BaseAddress!, "/api/v1/federation/clients");

    private async Task<PeerSigner> RegisterHmacAsync()
    {
        var keyId = "peer-" + Guid.NewGuid().ToString("N")[..12];
        using var response = await ProviderPostAsync("/api/v1/provider/federation/keys", new { keyId, peerName = "Regional instance", algorithm = "hmac-sha256" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("active", created.GetProperty("key").GetProperty("status").GetString());
        return new PeerSigner(keyId, "hmac-sha256", Convert.FromBase64String(created.GetProperty("sharedSecret").GetString()!));
    }

    private async Task<HttpResponseMessage> ProviderPostAsync(string path, object body) =>
        await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, path, await fixture.LoginAsync("provider"), body));

    private static async Task<List<string>> RefusalReasonsAsync(string keyId)
    {
        await using var connection = new NpgsqlConnection(TestEnvironment.Setting("Postgres__AppConnectionString"));
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var scope = new NpgsqlCommand("SELECT set_config('app.audit_scope', 'chain', true)", connection, transaction);
        await scope.ExecuteNonQueryAsync();
        await using var query = new NpgsqlCommand(
            "SELECT details->>'reason' FROM audit_log WHERE system = 'platform' AND action = 'federation.signature.refused' AND actor = @actor",
            connection, transaction);
        query.Parameters.AddWithValue("actor", "federation:" + keyId);
        var reasons = new List<string>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            reasons.Add(reader.GetString(0));
        }

        return reasons;
    }
}
