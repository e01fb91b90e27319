using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StreamFlow.Core.Ai;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Leads;
using StreamFlow.Core.Scoring;
using StreamFlow.Core.Tenancy;
using StreamFlow.Functions.Hosting;
using StreamFlow.IntegrationTests.Ai;

namespace StreamFlow.IntegrationTests.Scoring;

/// <summary>The AI step of scoring against a local fake OpenAI-compatible server: used when on and affordable, skipped otherwise.</summary>
[Collection(ServicesCollection.Name)]
public sealed class AiLeadAssessorTests(TestServices services)
{
    [Fact]
    public async Task With_ai_on_the_answer_becomes_the_signal()
    {
        using var fake = new FakeOpenAi().AnswersWith("""{"score": 82, "confidence": 0.7, "reason": "Referral with a large budget"}""");
        await using var provider = Build(fake.BaseUrl);
        var (tenant, lead) = await TenantWithLeadAsync(provider, aiEnabled: true);

        var signal = await provider.GetRequiredService<AiLeadAssessor>().AssessAsync(tenant, lead, CancellationToken.None);

        Assert.Equal(new AiSignal(82, 0.7, "Referral with a large budget"), signal);
    }

    [Fact]
    public async Task With_ai_off_there_is_no_call_and_no_signal()
    {
        using var fake = new FakeOpenAi().AnswersWith("""{"score": 82}""");
        await using var provider = Build(fake.BaseUrl);
        var (tenant, lead) = await TenantWithLeadAsync(provider, aiEnabled: false);

        var signal = await provider.GetRequiredService<AiLeadAssessor>().AssessAsync(tenant, lead, CancellationToken.None);

        Assert.Null(signal);
    }

    [Fact]
    public async Task Over_budget_scoring_falls_back_to_no_signal()
    {
        using var fake = new FakeOpenAi().AnswersWith("""{"score": 82}""");
        await using var provider = Build(fake.BaseUrl);
        var (tenant, lead) = await TenantWithLeadAsync(provider, aiEnabled: true);
        await provider.GetRequiredService<AiBudgetService>().SetTenantBudgetAsync(tenant, new AiTenantBudget(0.000001m, 0.000001m), CancellationToken.None);

        var signal = await provider.GetRequiredService<AiLeadAssessor>().AssessAsync(tenant, lead, CancellationToken.None);

        Assert.Null(signal);
    }

    [Theory]
    [InlineData("Sure! {\"score\": 55, \"confidence\": 2}", 55, 1.0)]
    [InlineData("{\"score\": 140}", 100, 0.5)]
    public void Answers_are_read_and_clamped(string answer, double value, double confidence)
    {
        var signal = AiLeadAssessor.Parse(answer)!;

        Assert.Equal((value, confidence), (signal.Value, signal.Confidence));
    }

    [Theory]
    [InlineData("I cannot rate this lead.")]
    [InlineData("{\"rating\": \"high\"}")]
    [InlineData("{not json}")]
    public void Unreadable_answers_are_no_signal(string answer) => Assert.Null(AiLeadAssessor.Parse(answer));

    private ServiceProvider Build(string fakeBaseUrl)
    {
        var configuration = new ConfigurationBuilder()
            .AddConfiguration(services.Configuration)
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Ai:Deployments:0:Name"] = "fake",
                ["Ai:Deployments:0:Endpoint"] = fakeBaseUrl,
                ["Ai:Deployments:0:ApiKey"] = "sk-test",
                ["Ai:Deployments:0:Model"] = AiGatewayHost.Model,
                ["Ai:Prices:0:Model"] = AiGatewayHost.Model,
                ["Ai:Prices:0:InputPerMillion"] = "10",
                ["Ai:Prices:0:OutputPerMillion"] = "30",
                ["Ai:Resilience:MaxRetryAttempts"] = "0",
            })
            .Build();
        return new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration).AddStreamFlowFunctions(configuration).BuildServiceProvider();
    }

    private static async Task<(Guid Tenant, Guid Lead)> TenantWithLeadAsync(ServiceProvider provider, bool aiEnabled)
    {
        var slug = $"ai-{Guid.NewGuid():N}"[..20];
        var created = await provider.GetRequiredService<TenantService>().CreateAsync(
            new CreateTenantRequest("AI scoring", slug, "hvac", new TenantOwner($"owner@{slug}.example.com", "Owner", "a long enough password")),
            "test", RequestOrigin.None, CancellationToken.None);
        var tenant = created.Value!.Tenant.Id;
        await provider.GetRequiredService<ScoringSettingsService>().UpdateAsync(tenant, new ScoringSettingsUpdate(null, null, aiEnabled, null, null), "test", RequestOrigin.None, CancellationToken.None);
        var lead = await provider.GetRequiredService<LeadService>().CreateAsync(new LeadActor(tenant, "test", true),
            new LeadInput("Ann", null, "Ann's Diner", null, null, "Referral", null, null, "TX", null, null, null, null, null, null), false, CancellationToken.None);
        return (tenant, lead.Value.Lead.Id);
    }
}
