using StreamFlow.Core.Audit;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using StreamFlow.Core.LeadSources.Attribution;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.IntegrationTests.LeadSources;

/// <summary>Cost per source, leads, won revenue and cost per won job, on the real database.</summary>
[Collection(ServicesCollection.Name)]
public sealed class AttributionTests(TestServices services)
{
    [Fact]
    public async Task Each_source_shows_its_leads_won_revenue_cost_for_the_months_and_cost_per_won_job()
    {
        var tenant = await TenantAsync();
        var month = DateTimeOffset.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        await LeadAsync(tenant, "Google Ads", won: "1200.00");
        await LeadAsync(tenant, "Google Ads", won: "800.00");
        await LeadAsync(tenant, "Google Ads", won: null);
        await LeadAsync(tenant, "Web form", won: null);
        await LeadAsync(tenant, null, won: "50.00");
        var attribution = services.Get<AttributionService>();
        Assert.True((await attribution.SetCostAsync(tenant, "Google Ads", new SourceCostInput("450.00", "usd"), default)).Succeeded);
        Assert.True((await attribution.SetCostAsync(tenant, "Yelp", new SourceCostInput("99.00", "USD"), default)).Succeeded);

        var report = (await attribution.ReportAsync(tenant, month, month, default)).Value!;

        var ads = Assert.Single(report.Sources, s => s.Source == "Google Ads");
        Assert.Equal((3, 2), (ads.Leads, ads.Won));
        Assert.Equal([Money.Of(2000m, "USD")], ads.WonRevenue);
        Assert.Equal([Money.Of(450m, "USD")], ads.Cost);
        Assert.Equal([Money.Of(225m, "USD")], ads.CostPerWon);
        Assert.Equal([Money.Of(150m, "USD")], ads.CostPerLead);
        var form = Assert.Single(report.Sources, s => s.Source == "Web form");
        Assert.Equal((1, 0), (form.Leads, form.Won));
        Assert.Empty(form.Cost);
        var yelp = Assert.Single(report.Sources, s => s.Source == "Yelp");
        Assert.Equal(0, yelp.Leads);
        Assert.Equal([Money.Of(99m, "USD")], yelp.Cost);
        Assert.Empty(yelp.CostPerWon);
        Assert.Equal(1, Assert.Single(report.Sources, s => s.Source == "").Leads);
    }

    [Fact]
    public async Task A_period_of_several_months_counts_the_monthly_cost_once_per_month()
    {
        var tenant = await TenantAsync();
        var attribution = services.Get<AttributionService>();
        await attribution.SetCostAsync(tenant, "Radio", new SourceCostInput("100.00", "USD"), default);

        var report = (await attribution.ReportAsync(tenant, "2026-01", "2026-03", default)).Value!;

        Assert.Equal(3, report.Months);
        Assert.Equal([Money.Of(300m, "USD")], Assert.Single(report.Sources).Cost);
    }

    [Theory]
    [InlineData("2026-13", "2026-12", "from")]
    [InlineData("2026-05", "2026-04", "to")]
    [InlineData("2020-01", "2026-01", "to")]
    public async Task Bad_periods_are_refused_naming_the_field(string from, string to, string field)
    {
        var report = await services.Get<AttributionService>().ReportAsync(Guid.NewGuid(), from, to, default);

        Assert.True(report.Problem!.Errors!.ContainsKey(field));
    }

    [Theory]
    [InlineData("-1", "USD", "amount")]
    [InlineData("1.005", "USD", "amount")]
    [InlineData("10", "dollars", "currency")]
    public async Task Bad_costs_are_refused_naming_the_field(string amount, string currency, string field)
    {
        var set = await services.Get<AttributionService>().SetCostAsync(Guid.NewGuid(), "Radio", new SourceCostInput(amount, currency), default);

        Assert.True(set.Problem!.Errors!.ContainsKey(field));
    }

    private async Task<Guid> TenantAsync()
    {
        var slug = $"attr-{Guid.NewGuid():N}"[..20];
        return (await services.Get<TenantService>().CreateAsync(
            new CreateTenantRequest("Attribution", slug, "hvac", new TenantOwner($"owner@{slug}.example.com", "Owner", "a long enough password")),
            "test", RequestOrigin.None, default)).Value!.Tenant.Id;
    }

    private async Task LeadAsync(Guid tenant, string? source, string? won)
    {
        var leads = services.Get<LeadService>();
        var actor = new LeadActor(tenant, "test", CanAssign: false);
        var created = await leads.CreateAsync(actor, new LeadInput($"Lead {Guid.NewGuid():N}"[..12], null, null, null, null, source, null, null, null, null, null, null, null, null, null),
            mergeDuplicate: false, default);
        if (won is not null)
        {
            var closed = await leads.UpdateAsync(actor, created.Value.Lead.Id,
                new LeadUpdate(new LeadInput(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null), new OutcomeInput("won", won, "USD", null)), default);
            Assert.True(closed.Succeeded, closed.Problem?.ToString());
        }
    }
}
