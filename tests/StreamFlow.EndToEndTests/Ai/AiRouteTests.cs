using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.EndToEndTests.Identity;

namespace StreamFlow.EndToEndTests.Ai;

/// <summary>The AI routes on a host with no language model configured, which is the local default.</summary>
[Collection(HostCollection.Name)]
public sealed class AiRouteTests(HostFixture fixture)
{
    [Fact]
    public async Task The_provider_sets_a_tenant_budget_and_the_tenant_reads_its_own_usage()
    {
        var tenant = await Tenants.CreateAsync(fixture);
        var provider = await fixture.LoginAsync("provider");

        using var set = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Put, $"/api/v1/provider/tenants/{tenant.Id}/ai-budget", provider,
            new { dailyLimitUsd = 1.5m, monthlyLimitUsd = 10m, markupPercent = 20m }));
        var status = await set.Content.ReadFromJsonAsync<JsonElement>();
        using var usage = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/ai/usage", tenant.OwnerToken));
        using var providerUsage = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, "/api/v1/provider/ai/usage", provider));

        Assert.True(set.StatusCode == HttpStatusCode.OK, status.ToString());
        Assert.Equal(HttpStatusCode.OK, usage.StatusCode);
        Assert.Equal(HttpStatusCode.OK, providerUsage.StatusCode);
        Assert.Equal(0m, (await usage.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("totalBillableUsd").GetDecimal());
    }

    [Fact]
    public async Task A_client_token_cannot_set_budgets()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Put, $"/api/v1/provider/tenants/{tenant.Id}/ai-budget", tenant.OwnerToken,
            new { dailyLimitUsd = 1000m }));

        await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_assistant_without_a_configured_model_answers_a_clear_503()
    {
        var tenant = await Tenants.CreateAsync(fixture);

        using var response = await fixture.Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/ai/assist", tenant.OwnerToken, new { question = "Which leads should I call first?" }));

        await PlatformEndpointTests.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable);
    }
}
