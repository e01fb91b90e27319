using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using StreamFlow.IntegrationTests.Ai;
using StreamFlow.IntegrationTests.Rfps;

namespace StreamFlow.EndToEndTests.Rfps;

/// <summary>A standalone host of its own with AI configured against a local fake OpenAI server, on its own ports and task hub.</summary>
public sealed class RfpAiHost : IAsyncLifetime
{
    private readonly FakeOpenAi _openAi = new FakeOpenAi().AnswersWith("""
        {"summary": "HVAC maintenance for Federal Building 12, offers due March 15, 2027.", "recommendation": "bid", "confidence": 0.7,
         "reasons": ["Core HVAC work"], "pricing": {"low": 1000000, "high": 1200000, "rationale": "Below the stated estimate."}}
        """);

    public StandaloneHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = new StandaloneHost(TestEnvironment.ApiPort + 30, TestEnvironment.SidecarPort + 30, "StreamFlowRfpAi", new Dictionary<string, string>
        {
            ["Ai__Deployments__0__Name"] = "fake",
            ["Ai__Deployments__0__Endpoint"] = _openAi.BaseUrl,
            ["Ai__Deployments__0__ApiKey"] = "sk-test",
            ["Ai__Deployments__0__Model"] = "gpt-test",
            ["Ai__Prices__0__Model"] = "gpt-test",
            ["Ai__Prices__0__InputPerMillion"] = "10",
            ["Ai__Prices__0__OutputPerMillion"] = "30",
            ["Ai__Resilience__MaxRetryAttempts"] = "0",
        });
        await Host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        _openAi.Dispose();
    }
}

/// <summary>RFP analysis over HTTP with AI: the model's assessment, and the local fallback once the budget is spent.</summary>
public sealed class RfpAiRouteTests(RfpAiHost fixture) : IClassFixture<RfpAiHost>
{
    private HttpClient Client => fixture.Host.Client;

    [Fact]
    public async Task With_ai_configured_the_assessment_is_the_models()
    {
        var (_, token) = await NewTenantAsync();

        var rfp = await AnalyzeAsync(token);
        var assessment = rfp.GetProperty("analysis").GetProperty("assessment");

        Assert.Equal("ai", assessment.GetProperty("method").GetString());
        Assert.Equal("bid", assessment.GetProperty("recommendation").GetProperty("decision").GetString());
        Assert.Equal("1000000.00", assessment.GetProperty("pricing").GetProperty("low").GetProperty("amount").GetString());
    }

    [Fact]
    public async Task With_the_budget_spent_the_local_method_assesses_and_says_so()
    {
        var (tenantId, token) = await NewTenantAsync();
        using var budget = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Put, $"/api/v1/provider/tenants/{tenantId}/ai-budget", await ProviderTokenAsync(),
            new { dailyLimitUsd = 0.000001m, monthlyLimitUsd = 0.000001m }));
        Assert.True(budget.StatusCode == HttpStatusCode.OK, await budget.Content.ReadAsStringAsync());

        var rfp = await AnalyzeAsync(token);
        var assessment = rfp.GetProperty("analysis").GetProperty("assessment");

        Assert.Equal("local", assessment.GetProperty("method").GetString());
        Assert.Contains("AI budget is used up", assessment.GetProperty("fallbackReason").GetString(), StringComparison.Ordinal);
    }

    private async Task<JsonElement> AnalyzeAsync(string token)
    {
        var request = HostFixture.Authorized(HttpMethod.Post, "/api/v1/rfps", token);
        request.Content = new ByteArrayContent(SolicitationDocuments.Pdf(SolicitationDocuments.Pages));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        using var upload = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var statusUrl = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("statusUrl").GetString()!;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            using var response = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Get, statusUrl, token));
            var rfp = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (rfp.GetProperty("status").GetString() is "completed" or "failed")
            {
                Assert.Equal("completed", rfp.GetProperty("status").GetString());
                return rfp;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Not analyzed within 90 s: {rfp}");
            await Task.Delay(500);
        }
    }

    private async Task<string> ProviderTokenAsync()
    {
        using var provider = await Client.PostAsJsonAsync("/api/v1/provider/auth/login", new
        {
            email = TestEnvironment.Setting("STREAMFLOW_PROVIDER_EMAIL"),
            password = TestEnvironment.Setting("STREAMFLOW_PROVIDER_PASSWORD"),
        });
        return (await provider.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    private async Task<(Guid TenantId, string Token)> NewTenantAsync()
    {
        var slug = $"rfp-ai-{Guid.NewGuid():N}"[..20];
        const string password = "correct horse battery staple";
        using var created = await Client.SendAsync(HostFixture.Authorized(HttpMethod.Post, "/api/v1/provider/tenants", await ProviderTokenAsync(), new
        {
            name = "RFP AI", slug, industry = "hvac", owner = new { email = $"o@{slug}.example.com", name = "O", password },
        }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var tenantId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var login = await Client.PostAsJsonAsync("/api/v1/auth/login", new { tenant = slug, email = $"o@{slug}.example.com", password });
        return (tenantId, (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!);
    }
}
