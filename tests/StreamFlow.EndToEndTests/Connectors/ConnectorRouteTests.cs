using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Connectors;

/// <summary>
/// Connector routes through the standalone host, without a vendor: the consent URL, the anonymous callback refusing a
/// state it did not issue, and the QuickBooks notifications route refusing an unsigned or wrongly signed body. Syncs
/// against the fake are in the integration tests.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class ConnectorRouteTests(HostFixture fixture)
{
    [Fact]
    public async Task An_owner_gets_a_consent_url_with_state_and_a_S256_challenge_and_a_forged_state_is_410()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        using var created = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/connections", tenant.OwnerToken,
            new { kind = "quickbooks", name = "Books", schedule = "manual" }));
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        using var started = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, $"/api/v1/connections/{id}/authorizations", tenant.OwnerToken));
        var url = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("authorizationUrl").GetString()!;
        using var forged = await fixture.Client.GetAsync($"/api/v1/connectors/oauth/callback?code=abc&realmId=123&state={tenant.Id:N}.forged");
        using var missing = await fixture.Client.GetAsync("/api/v1/connectors/oauth/callback?code=abc");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        Assert.Contains("code_challenge_method=S256", url, StringComparison.Ordinal);
        Assert.Contains($"state={tenant.Id:N}.", url, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, forged.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_QuickBooks_notification_without_a_valid_intuit_signature_is_a_401_and_a_signed_one_is_accepted()
    {
        var verifier = Environment.GetEnvironmentVariable("STREAMFLOW_E2E_Connectors__QuickBooks__WebhookVerifierToken")
            ?? throw new InvalidOperationException("test.sh sets STREAMFLOW_E2E_Connectors__QuickBooks__WebhookVerifierToken.");
        var body = Encoding.UTF8.GetBytes("""{"eventNotifications":[{"realmId":"123","dataChangeEvent":{"entities":[{"name":"Payment","id":"1","operation":"Create"}]}}]}""");

        using var unsigned = await NotifyAsync(body, null);
        using var wrong = await NotifyAsync(body, Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes("another-token"), body)));
        using var signed = await NotifyAsync(body, Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(verifier), body)));

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.OK), (unsigned.StatusCode, wrong.StatusCode, signed.StatusCode));
        Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, (await signed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("realms").GetInt32());
    }

    private Task<HttpResponseMessage> NotifyAsync(byte[] body, string? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/connectors/quickbooks/notifications") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        if (signature is not null)
        {
            request.Headers.Add("intuit-signature", signature);
        }

        return fixture.Client.SendAsync(request);
    }
}
