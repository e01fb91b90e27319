using StreamFlow.Core.Ai;
using StreamFlow.Core.Kernel;

namespace StreamFlow.IntegrationTests.Ai;

[Collection(ServicesCollection.Name)]
public sealed class AiGatewayRoutingTests(TestServices services)
{
    private static readonly Dictionary<string, string?> ShortCircuit = new()
    {
        ["Ai:Resilience:CircuitMinimumThroughput"] = "2",
        ["Ai:Resilience:CircuitFailureRatio"] = "0.5",
        ["Ai:Resilience:CircuitSamplingDuration"] = "00:00:30",
        ["Ai:Resilience:CircuitBreakDuration"] = "00:00:05",
    };

    [Fact]
    public async Task Falls_back_to_the_next_deployment_when_the_primary_answers_5xx()
    {
        using var primary = new FakeOpenAi().FailsWith(503);
        using var fallback = new FakeOpenAi().AnswersWith("Warm lead.");
        await using var host = AiGatewayHost.Start(services, [("primary", primary.BaseUrl), ("fallback", fallback.BaseUrl)]);
        var tenant = await host.CreateTenantAsync();

        var result = await host.Gateway.CompleteAsync(AiGatewayHost.Request(tenant, "Score this lead."), CancellationToken.None);

        Assert.True(result.Succeeded, result.Problem?.Detail);
        Assert.Equal("Warm lead.", result.Value.Text);
        Assert.Equal("fallback", result.Value.Deployment);
        Assert.Equal(AiGatewayHost.FallbackModel, result.Value.Model);
        Assert.Equal(1, primary.Requests);
        Assert.Equal("fallback", await host.InTenantAsync<string>(tenant, "SELECT deployment FROM ai_usage WHERE outcome = 'succeeded'"));
    }

    [Fact]
    public async Task Circuit_opens_after_repeated_failures_routes_to_the_fallback_and_closes_after_the_cool_down()
    {
        using var primary = new FakeOpenAi().FailsWith(500);
        using var fallback = new FakeOpenAi().AnswersWith("From the fallback.");
        await using var host = AiGatewayHost.Start(services, [("primary", primary.BaseUrl), ("fallback", fallback.BaseUrl)], ShortCircuit);
        var tenant = await host.CreateTenantAsync();
        Task<Result<AiCompletion>> Call() => host.Gateway.CompleteAsync(AiGatewayHost.Request(tenant, "Score this lead."), CancellationToken.None);

        await Call();
        await Call();
        var whileOpen = await Call();
        var primaryRequestsWhileOpen = primary.Requests;
        primary.AnswersWith("From the primary.");
        var beforeCoolDown = await Call();
        host.Time.Advance(TimeSpan.FromSeconds(6));
        var probe = await Call();
        var afterRecovery = await Call();

        Assert.Equal(2, primaryRequestsWhileOpen);
        Assert.Equal("fallback", whileOpen.Value!.Deployment);
        Assert.Equal("fallback", beforeCoolDown.Value!.Deployment);
        Assert.Equal("primary", probe.Value!.Deployment);
        Assert.Equal("primary", afterRecovery.Value!.Deployment);
        Assert.Equal(4, primary.Requests);
    }

    [Fact]
    public async Task A_429_is_retried_only_after_the_Retry_After_the_upstream_asked_for()
    {
        using var primary = new FakeOpenAi().FailsOnceThenAnswers(429, retryAfter: "7", "After waiting.");
        await using var host = AiGatewayHost.Start(services, [("primary", primary.BaseUrl)], new Dictionary<string, string?>
        {
            ["Ai:Resilience:MaxRetryAttempts"] = "1",
            ["Ai:Resilience:RetryBaseDelay"] = "00:00:01",
        });
        var tenant = await host.CreateTenantAsync();

        var call = host.Gateway.CompleteAsync(AiGatewayHost.Request(tenant, "Score this lead."), CancellationToken.None);
        await WaitUntilAsync(() => primary.Requests == 1);
        await Task.Delay(300);
        var fakeSecondsUntilRetry = 0;
        while (primary.Requests < 2 && fakeSecondsUntilRetry < 30)
        {
            host.Time.Advance(TimeSpan.FromSeconds(1));
            fakeSecondsUntilRetry++;
            await WaitUntilAsync(() => primary.Requests == 2, TimeSpan.FromMilliseconds(150));
        }

        var result = await call;

        Assert.True(result.Succeeded, result.Problem?.Detail);
        Assert.Equal("After waiting.", result.Value.Text);
        Assert.InRange(fakeSecondsUntilRetry, 7, 9);
    }

    [Fact]
    public async Task When_every_deployment_fails_the_call_is_unavailable_not_refused_and_releases_its_reservation()
    {
        using var primary = new FakeOpenAi().FailsWith(502);
        using var fallback = new FakeOpenAi().FailsWith(500);
        await using var host = AiGatewayHost.Start(services, [("primary", primary.BaseUrl), ("fallback", fallback.BaseUrl)]);
        var tenant = await host.CreateTenantAsync();

        var result = await host.Gateway.CompleteAsync(AiGatewayHost.Request(tenant, "Score this lead."), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.True(result.Problem.IsUpstreamUnavailable());
        Assert.False(result.Problem.IsBudgetRefusal());
        Assert.Equal(0m, await host.InTenantAsync<decimal>(tenant, "SELECT coalesce(sum(reserved_usd + spent_usd), 0) FROM ai_tenant_spend"));
        Assert.Equal(0L, await host.InTenantAsync<long>(tenant, "SELECT count(*) FROM ai_reservations"));
        Assert.Equal("failed", await host.InTenantAsync<string>(tenant, "SELECT outcome FROM ai_usage"));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }
}
