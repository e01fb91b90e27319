using StreamFlow.Core.Ai;

namespace StreamFlow.IntegrationTests.Ai;

[Collection(ServicesCollection.Name)]
public sealed class AiGatewayCacheTests(TestServices services)
{
    [Fact]
    public async Task A_repeated_deterministic_call_is_answered_from_the_cache_at_no_cost()
    {
        using var upstream = new FakeOpenAi().AnswersWith("Score: 82", promptTokens: 30, completionTokens: 5);
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)]);
        var tenant = await host.CreateTenantAsync();
        var request = AiGatewayHost.Request(tenant, "Score this lead: roof replacement, 3 quotes wanted.", temperature: 0f);

        var first = await host.Gateway.CompleteAsync(request, CancellationToken.None);
        var spentAfterFirst = (await host.Budget.GetTenantBudgetAsync(tenant, CancellationToken.None)).Value!.Today.SpentUsd;
        var second = await host.Gateway.CompleteAsync(request, CancellationToken.None);
        var spentAfterSecond = (await host.Budget.GetTenantBudgetAsync(tenant, CancellationToken.None)).Value!.Today.SpentUsd;

        Assert.Equal(1, upstream.Requests);
        Assert.False(first.Value!.CacheHit);
        Assert.True(second.Value!.CacheHit);
        Assert.Equal("Score: 82", second.Value.Text);
        Assert.Equal(0m, second.Value.CostUsd);
        Assert.Equal(spentAfterFirst, spentAfterSecond);
        Assert.Equal(1L, await host.InTenantAsync<long>(tenant,
            "SELECT count(*) FROM ai_usage WHERE outcome = 'cached' AND cache_hit AND cost_usd = 0 AND billable_usd = 0"));
    }

    [Fact]
    public async Task Calls_with_a_temperature_above_zero_are_never_answered_from_the_cache()
    {
        using var upstream = new FakeOpenAi().AnswersWith("Score: 82");
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)]);
        var tenant = await host.CreateTenantAsync();
        var request = AiGatewayHost.Request(tenant, "Score this lead.", temperature: 0.7f);

        await host.Gateway.CompleteAsync(request, CancellationToken.None);
        var second = await host.Gateway.CompleteAsync(request, CancellationToken.None);

        Assert.Equal(2, upstream.Requests);
        Assert.False(second.Value!.CacheHit);
    }

    [Fact]
    public async Task One_tenants_cached_answer_never_answers_another_tenant()
    {
        using var upstream = new FakeOpenAi().AnswersWith("Score: 82");
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)]);
        var first = await host.CreateTenantAsync();
        var second = await host.CreateTenantAsync();

        await host.Gateway.CompleteAsync(AiGatewayHost.Request(first, "Score this lead.", temperature: 0f), CancellationToken.None);
        var other = await host.Gateway.CompleteAsync(AiGatewayHost.Request(second, "Score this lead.", temperature: 0f), CancellationToken.None);

        Assert.Equal(2, upstream.Requests);
        Assert.False(other.Value!.CacheHit);
    }
}
