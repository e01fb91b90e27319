using StreamFlow.Core.Ai;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.IntegrationTests.Ai;

[Collection(ServicesCollection.Name)]
public sealed class AiGatewayBudgetTests(TestServices services)
{
    [Fact]
    public async Task A_hundred_concurrent_calls_against_a_one_dollar_budget_never_spend_more_than_a_dollar()
    {
        // Each call may cost up to ~$0.031 (reserved) and really costs $0.0213: about 46 fit into $1, never 100.
        using var upstream = new FakeOpenAi().AnswersWith("Hot lead.", promptTokens: 30, completionTokens: 700, delay: TimeSpan.FromMilliseconds(20));
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)]);
        var tenant = await host.CreateTenantAsync(new AiTenantBudget(DailyLimitUsd: 1m, MonthlyLimitUsd: 1m));

        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(() =>
            host.Gateway.CompleteAsync(AiGatewayHost.Request(tenant, $"Score lead number {i}.", maxOutputTokens: 1000), CancellationToken.None))));

        var succeeded = results.Count(r => r.Succeeded);
        var refused = results.Count(r => !r.Succeeded && r.Problem.IsBudgetRefusal());
        var spent = await host.InTenantAsync<decimal>(tenant, "SELECT spent_usd FROM ai_tenant_spend WHERE period_kind = 'month'");
        var reserved = await host.InTenantAsync<decimal>(tenant, "SELECT sum(reserved_usd) FROM ai_tenant_spend");
        var ledgerCost = await host.InTenantAsync<decimal>(tenant, "SELECT sum(cost_usd) FROM ai_usage");
        var providerSpent = (await host.Budget.GetProviderBudgetAsync(CancellationToken.None)).ThisMonth.SpentUsd;

        Assert.Equal(100, succeeded + refused);
        Assert.True(succeeded > 0);
        Assert.True(refused > 0);
        Assert.True(spent <= 1m, $"spent {spent} USD");
        Assert.Equal(spent, ledgerCost);
        Assert.Equal(spent, providerSpent);
        Assert.Equal(0m, reserved);
        Assert.Equal(refused, await host.InTenantAsync<long>(tenant, "SELECT count(*) FROM ai_usage WHERE outcome = 'refused_budget'"));
    }

    [Fact]
    public async Task A_call_over_the_daily_limit_is_refused_with_payment_required_and_recorded()
    {
        using var upstream = new FakeOpenAi().AnswersWith("Hot lead.");
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)]);
        var tenant = await host.CreateTenantAsync(new AiTenantBudget(DailyLimitUsd: 0.001m, MonthlyLimitUsd: null));

        var result = await host.Gateway.CompleteAsync(AiGatewayHost.Request(tenant, "Score this lead.", maxOutputTokens: 1000), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(ProblemKind.PaymentRequired, result.Problem.Kind);
        Assert.Contains("daily AI budget", result.Problem.Detail, StringComparison.Ordinal);
        Assert.Equal(0, upstream.Requests);
        Assert.Equal("refused_budget", await host.InTenantAsync<string>(tenant, "SELECT outcome FROM ai_usage"));
    }

    [Fact]
    public async Task The_provider_cap_refuses_calls_of_every_tenant_once_it_is_reached()
    {
        using var upstream = new FakeOpenAi().AnswersWith("Hot lead.", promptTokens: 30, completionTokens: 700);
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)],
            new Dictionary<string, string?> { ["Ai:Budget:ProviderMonthlyCapUsd"] = "0.05" });
        var first = await host.CreateTenantAsync();
        var second = await host.CreateTenantAsync();

        var firstCall = await host.Gateway.CompleteAsync(AiGatewayHost.Request(first, "Score this lead.", maxOutputTokens: 1000), CancellationToken.None);
        var secondCall = await host.Gateway.CompleteAsync(AiGatewayHost.Request(second, "Score this lead.", maxOutputTokens: 1000), CancellationToken.None);

        Assert.True(firstCall.Succeeded, firstCall.Problem?.Detail);
        Assert.True(secondCall.Problem!.IsBudgetRefusal());
        Assert.Contains("budget of this service", secondCall.Problem!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_completed_call_books_its_real_cost_and_bills_it_with_the_tenants_markup()
    {
        using var upstream = new FakeOpenAi().AnswersWith("Hot lead.", promptTokens: 24, completionTokens: 500, cachedTokens: 8);
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)]);
        var tenant = await host.CreateTenantAsync();
        await host.Budget.SetTenantMarkupAsync(tenant, 0.25m, CancellationToken.None);

        var result = await host.Gateway.CompleteAsync(AiGatewayHost.Request(tenant, "Score this lead.", maxOutputTokens: 600), CancellationToken.None);

        // 16 input tokens at $10, 8 cached at $5, 500 output at $30 per million tokens.
        const decimal expectedCost = 0.00016m + 0.00004m + 0.015m;
        var status = (await host.Budget.GetTenantBudgetAsync(tenant, CancellationToken.None)).Value!;
        Assert.Equal(expectedCost, result.Value!.CostUsd);
        Assert.Equal(expectedCost * 1.25m, result.Value.BillableUsd);
        Assert.Equal(new AiTokenUsage(24, 8, 500), result.Value.Usage);
        Assert.Equal(expectedCost, status.Today.SpentUsd);
        Assert.Equal(expectedCost, status.ThisMonth.SpentUsd);
        Assert.Equal(0m, status.ThisMonth.ReservedUsd);
        Assert.Equal(expectedCost * 1.25m, await host.InTenantAsync<decimal>(tenant, "SELECT billable_usd FROM ai_usage"));
    }

    [Fact]
    public async Task A_warning_is_raised_once_per_period_when_spend_reaches_eighty_percent()
    {
        // $0.007 per call against a $0.10 month: the 12th call crosses $0.08; the 13th and 14th still fit.
        using var upstream = new FakeOpenAi().AnswersWith("Hot lead.", promptTokens: 100, completionTokens: 200);
        var alerts = new RecordingAlertSink();
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)], alertSink: alerts);
        var tenant = await host.CreateTenantAsync(new AiTenantBudget(DailyLimitUsd: null, MonthlyLimitUsd: 0.10m));

        var results = new List<Result<AiCompletion>>();
        for (var i = 0; i < 14; i++)
        {
            results.Add(await host.Gateway.CompleteAsync(AiGatewayHost.Request(tenant, "Score this lead.", maxOutputTokens: 250), CancellationToken.None));
        }

        Assert.All(results, result => Assert.True(result.Succeeded, result.Problem?.Detail));
        var alert = Assert.Single(alerts.Alerts);
        Assert.Equal(AiBudgetScope.TenantMonth, alert.Scope);
        Assert.Equal(tenant, alert.TenantId);
        Assert.Equal(0.10m, alert.LimitUsd);
        Assert.Equal(0.084m, alert.SpentUsd);
        Assert.NotNull(await host.InTenantAsync<DateTime?>(tenant, "SELECT warned_at FROM ai_tenant_spend WHERE period_kind = 'month'"));
    }

    [Fact]
    public async Task The_provider_cap_warning_goes_out_once_without_a_tenant()
    {
        // $0.0213 per call against a $0.05 provider month: the second call crosses $0.04.
        using var upstream = new FakeOpenAi().AnswersWith("Hot lead.", promptTokens: 30, completionTokens: 700);
        var alerts = new RecordingAlertSink();
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)],
            new Dictionary<string, string?> { ["Ai:Budget:ProviderMonthlyCapUsd"] = "0.05" }, alerts);
        var first = await host.CreateTenantAsync();
        var second = await host.CreateTenantAsync();

        await host.Gateway.CompleteAsync(AiGatewayHost.Request(first, "Score this lead.", maxOutputTokens: 700), CancellationToken.None);
        await host.Gateway.CompleteAsync(AiGatewayHost.Request(second, "Score this lead.", maxOutputTokens: 700), CancellationToken.None);
        await host.Gateway.CompleteAsync(AiGatewayHost.Request(second, "Score this lead.", maxOutputTokens: 700), CancellationToken.None);

        var alert = Assert.Single(alerts.Alerts);
        Assert.Equal(AiBudgetScope.ProviderMonth, alert.Scope);
        Assert.Null(alert.TenantId);
        Assert.Equal(0.0426m, alert.SpentUsd);
    }

    [Fact]
    public async Task The_reservation_of_a_call_that_never_reconciled_expires_and_frees_the_budget()
    {
        using var upstream = new FakeOpenAi().AnswersWith("Hot lead.");
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)]);
        var tenant = await host.CreateTenantAsync(new AiTenantBudget(DailyLimitUsd: 0.05m, MonthlyLimitUsd: null));
        await ReserveAndCrashAsync(host, tenant, 0.05m);

        var whileHeld = await host.Gateway.CompleteAsync(AiGatewayHost.Request(tenant, "Score this lead."), CancellationToken.None);
        host.Time.Advance(TimeSpan.FromMinutes(16));
        var afterExpiry = await host.Gateway.CompleteAsync(AiGatewayHost.Request(tenant, "Score this lead."), CancellationToken.None);

        Assert.True(whileHeld.Problem!.IsBudgetRefusal());
        Assert.True(afterExpiry.Succeeded, afterExpiry.Problem?.Detail);
        Assert.Equal(0m, await host.InTenantAsync<decimal>(tenant, "SELECT reserved_usd FROM ai_tenant_spend WHERE period_kind = 'day'"));
    }

    // What a crashed instance leaves behind: a reservation that nobody will ever settle.
    private static async Task ReserveAndCrashAsync(AiGatewayHost host, Guid tenant, decimal amount)
    {
        var now = host.Time.GetUtcNow();
        var (_, refused) = await AiBudgetStore.TryReserveAsync(host.Database, Guid.CreateVersion7(), tenant, AiBudgetPeriods.At(now), (amount, amount),
            new AiBudgetOptions { ProviderMonthlyCapUsd = 50m }, now, now + TimeSpan.FromMinutes(15), CancellationToken.None);
        Assert.Null(refused);
    }
}
