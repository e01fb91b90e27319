using StreamFlow.Core.Billing.Cycle;
using StreamFlow.Core.Billing.Pricing;
using StreamFlow.Core.Kernel;

namespace StreamFlow.IntegrationTests.Billing;

[Collection(ServicesCollection.Name)]
public sealed class PricingTests(TestServices services) : IAsyncLifetime
{
    private BillingTestBed _bed = null!;

    private TenantPricingService Pricing => _bed.Get<TenantPricingService>();

    public async Task InitializeAsync() => _bed = await BillingTestBed.StartAsync(services, new Dictionary<string, string?> { ["Billing:UsdExchangeRates:EUR"] = "0.9" });

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task A_plan_gives_its_values_and_explicit_fields_override_them()
    {
        var (tenant, _) = await _bed.CreateTenantAsync();
        var plan = (await _bed.Get<BillingPlanService>().CreateAsync(
            new BillingPlanInput($"growth-{Guid.NewGuid():N}"[..20], "Growth", "USD", "199.00", "25.00", 500, "0.40", 20m), CancellationToken.None)).Value!;

        var pricing = await Pricing.ChangeAsync(tenant, new PricingChange(null, plan.Id, null, null, "19.50", null, null, null, null, 15, null, null), "p@example.test", CancellationToken.None);

        var current = pricing.Value!.Current!;
        Assert.Equal((plan.Id, "199.00", "19.50", 500, "0.40", 20m, 15), (current.PlanId, current.BaseFee.Amount, current.SeatPrice.Amount, current.IncludedLeads, current.LeadPrice.Amount, current.AiMarkupPercent, current.BillingDay));
    }

    [Fact]
    public async Task Every_change_is_kept_in_the_history_and_the_current_price_is_the_one_in_effect_today()
    {
        var (tenant, _) = await _bed.CreateTenantAsync();
        await _bed.PriceAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 10, 1), "100.00"));
        await _bed.PriceAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 11, 15), "200.00"));
        await _bed.PriceAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2027, 1, 1), "300.00"));

        var pricing = (await Pricing.GetAsync(tenant, CancellationToken.None)).Value!;

        Assert.Equal("200.00", pricing.Current!.BaseFee.Amount);
        Assert.Equal(["300.00", "200.00", "100.00"], pricing.History.Select(h => h.BaseFee.Amount));
    }

    [Fact]
    public async Task Invalid_values_are_reported_per_field()
    {
        var (tenant, _) = await _bed.CreateTenantAsync();

        var result = await Pricing.ChangeAsync(tenant,
            new PricingChange(null, null, "usd", "-1", "abc", -3, null, -5m, new DiscountChange("half", "150", null), 31, null, 100m), "p@example.test", CancellationToken.None);

        Assert.Equal(ProblemKind.Validation, result.Problem!.Kind);
        Assert.Equal(
            ["aiMarkupPercent", "baseFee", "billingDay", "currency", "discount.kind", "includedLeads", "leadPrice", "seatPrice", "taxRatePercent"],
            result.Problem.Errors!.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_unknown_client_is_not_found()
    {
        var result = await Pricing.ChangeAsync(Guid.NewGuid(), BillingTestBed.MonthlyPrice(new DateOnly(2026, 11, 1)), "p@example.test", CancellationToken.None);

        Assert.Equal(ProblemKind.NotFound, result.Problem!.Kind);
    }

    [Fact]
    public async Task A_price_may_not_take_effect_inside_an_invoiced_period()
    {
        var (tenant, _) = await _bed.CreateTenantAsync();
        await _bed.PriceAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 10, 1)));
        await _bed.RunNovemberAsync(tenant);

        var result = await Pricing.ChangeAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 11, 20)), "p@example.test", CancellationToken.None);

        Assert.Contains("effectiveFrom", result.Problem!.Errors!.Keys);
    }

    [Fact]
    public async Task A_currency_without_a_usd_rate_is_refused()
    {
        var (tenant, _) = await _bed.CreateTenantAsync();

        var refused = await Pricing.ChangeAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 11, 1)) with { Currency = "GBP" }, "p@example.test", CancellationToken.None);
        var accepted = await Pricing.ChangeAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 11, 1)) with { Currency = "EUR" }, "p@example.test", CancellationToken.None);

        Assert.Contains("Billing:UsdExchangeRates:GBP", refused.Problem!.Errors!["currency"][0], StringComparison.Ordinal);
        Assert.True(accepted.Succeeded);
    }

    [Fact]
    public async Task The_ai_markup_of_a_price_in_effect_reaches_the_ai_gateway()
    {
        var (tenant, _) = await _bed.CreateTenantAsync();

        await _bed.PriceAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 11, 1)) with { AiMarkupPercent = 40m });
        await _bed.PriceAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2027, 1, 1)) with { AiMarkupPercent = 90m });

        Assert.Equal(0.4m, await _bed.InTenantAsync<decimal>(tenant, "SELECT markup_rate FROM ai_tenant_settings"));
    }

    [Fact]
    public async Task A_future_markup_is_applied_once_its_day_has_come()
    {
        var (tenant, _) = await _bed.CreateTenantAsync();
        await _bed.PriceAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 12, 3)) with { AiMarkupPercent = 60m });

        _bed.Clock.Advance(TimeSpan.FromDays(1));
        var applied = await Pricing.ApplyCurrentAiMarkupAsync(tenant, CancellationToken.None);

        Assert.True(applied);
        Assert.Equal(0.6m, await _bed.InTenantAsync<decimal>(tenant, "SELECT markup_rate FROM ai_tenant_settings"));
    }

    [Fact]
    public async Task A_provider_run_of_a_period_that_is_not_over_is_refused()
    {
        var (tenant, _) = await _bed.CreateTenantAsync();
        await _bed.PriceAsync(tenant, BillingTestBed.MonthlyPrice(new DateOnly(2026, 11, 1)));

        var result = await _bed.Get<BillingCycleService>().PlanRunAsync(tenant, new DateOnly(2026, 12, 1), CancellationToken.None);

        Assert.Equal(ProblemKind.Unprocessable, result.Problem!.Kind);
    }
}
