using StreamFlow.Core.Ai;
using StreamFlow.Core.Kernel;

namespace StreamFlow.IntegrationTests.Ai;

[Collection(ServicesCollection.Name)]
public sealed class AiBudgetServiceTests(TestServices services)
{
    [Fact]
    public async Task Limits_set_by_the_provider_replace_the_defaults_and_read_back()
    {
        using var upstream = new FakeOpenAi();
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)]);
        var tenant = await host.CreateTenantAsync();

        var before = (await host.Budget.GetTenantBudgetAsync(tenant, CancellationToken.None)).Value!;
        var set = await host.Budget.SetTenantBudgetAsync(tenant, new AiTenantBudget(DailyLimitUsd: 3.5m, MonthlyLimitUsd: null), CancellationToken.None);

        Assert.True(before.DailyLimitIsDefault);
        Assert.Equal(2m, before.DailyLimitUsd);
        Assert.Equal(3.5m, set.Value!.DailyLimitUsd);
        Assert.False(set.Value.DailyLimitIsDefault);
        Assert.Equal(20m, set.Value.MonthlyLimitUsd);
        Assert.True(set.Value.MonthlyLimitIsDefault);
        Assert.False(set.Value.AllowPersonalData);
    }

    [Fact]
    public async Task A_budget_for_an_unknown_tenant_is_not_found()
    {
        using var upstream = new FakeOpenAi();
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)]);

        var set = await host.Budget.SetTenantBudgetAsync(Guid.CreateVersion7(), new AiTenantBudget(1m, 10m), CancellationToken.None);
        var get = await host.Budget.GetTenantBudgetAsync(Guid.CreateVersion7(), CancellationToken.None);

        Assert.Equal(ProblemKind.NotFound, set.Problem!.Kind);
        Assert.Equal(ProblemKind.NotFound, get.Problem!.Kind);
    }

    [Fact]
    public async Task Negative_limits_and_markups_are_rejected()
    {
        using var upstream = new FakeOpenAi();
        await using var host = AiGatewayHost.Start(services, [("primary", upstream.BaseUrl)]);
        var tenant = await host.CreateTenantAsync();

        var budget = await host.Budget.SetTenantBudgetAsync(tenant, new AiTenantBudget(-1m, 10m), CancellationToken.None);
        var markup = await host.Budget.SetTenantMarkupAsync(tenant, -0.1m, CancellationToken.None);

        Assert.Equal(["dailyLimitUsd"], budget.Problem!.Errors!.Keys);
        Assert.Equal(["markupRate"], markup.Problem!.Errors!.Keys);
    }
}
