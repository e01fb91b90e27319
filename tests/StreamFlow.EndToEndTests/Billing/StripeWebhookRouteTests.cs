using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace StreamFlow.EndToEndTests.Billing;

/// <summary>A host of its own with a Stripe webhook secret, on other ports than the shared host.</summary>
public sealed class StripeWebhookHostFixture : IAsyncLifetime
{
    public const string Secret = "whsec_e2e_0123456789abcdef";

    public StandaloneHost Host { get; } = new(TestEnvironment.ApiPort + 37, TestEnvironment.SidecarPort + 37, "StreamFlowStripeWebhookTest",
        new Dictionary<string, string> { ["Stripe__WebhookSecret"] = Secret });

    public Task InitializeAsync() => Host.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>POST /api/v1/stripe/webhook over HTTP, signed as Stripe documents it (computed here, independently).</summary>
public sealed class StripeWebhookRouteTests(StripeWebhookHostFixture fixture) : IClassFixture<StripeWebhookHostFixture>
{
    private static readonly byte[] Event = Encoding.UTF8.GetBytes(
        """{"id":"evt_e2e_1","object":"event","type":"customer.created","created":1764158400,"data":{"object":{"id":"cus_1","object":"customer"}}}""");

    [Fact]
    public async Task A_signed_event_of_a_type_not_handled_here_is_acknowledged()
    {
        using var response = await PostAsync(Event, Sign(Event, StripeWebhookHostFixture.Secret, DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ignored", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task A_wrong_signature_is_a_400_problem()
    {
        using var response = await PostAsync(Event, Sign(Event, "whsec_wrong", DateTimeOffset.UtcNow));

        await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_stale_signature_is_a_400_problem()
    {
        using var response = await PostAsync(Event, Sign(Event, StripeWebhookHostFixture.Secret, DateTimeOffset.UtcNow.AddMinutes(-6)));

        await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    private Task<HttpResponseMessage> PostAsync(byte[] payload, string signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/stripe/webhook") { Content = new ByteArrayContent(payload) };
        request.Content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        request.Headers.Add("Stripe-Signature", signature);
        return fixture.Host.Client.SendAsync(request);
    }

    private static string Sign(byte[] payload, string secret, DateTimeOffset at)
    {
        var t = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signed = Encoding.UTF8.GetBytes(t + "." + Encoding.UTF8.GetString(payload));
        return $"t={t},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed))}";
    }
}
