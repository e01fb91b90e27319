using Microsoft.Extensions.Options;
using StreamFlow.Core.Ai;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Kernel;

namespace StreamFlow.IntegrationTests.Billing;

[Collection(ServicesCollection.Name)]
public sealed class MonetizationConsoleTests(TestServices services)
{
    private static readonly DateTimeOffset Now = new(2019, 6, 20, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Console_shows_the_price_in_force_and_its_mrr_from_active_seats_after_discount()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var tenant = await bed.CreateTenantAsync();
        var planCode = $"pro-{Guid.NewGuid():N}"[..12];
        var plan = await bed.AddPlanAsync(planCode, "Pro");
        await bed.AddPricingAsync(tenant.Id, new DateOnly(2019, 1, 1), baseFee: 100m, seatPrice: 10m);
        await bed.AddPricingAsync(tenant.Id, new DateOnly(2019, 6, 1), baseFee: 120m, seatPrice: 15m, planId: plan,
            discountKind: "percent", discountValue: 10m, discountEndsOn: new DateOnly(2019, 12, 31));
        await bed.AddPricingAsync(tenant.Id, new DateOnly(2019, 7, 1), baseFee: 500m, seatPrice: 50m);
        await bed.AddUserAsync(tenant.Id);
        await bed.AddUserAsync(tenant.Id);
        await bed.AddUserAsync(tenant.Id, status: "disabled");

        var client = await ClientAsync(bed, tenant.Id);

        Assert.Equal(new BillingPlanReference(planCode, "Pro"), client.Plan);
        Assert.Equal(new DateOnly(2019, 6, 1), client.Pricing!.EffectiveFrom);
        Assert.Equal(new Money("120.00", "USD"), client.Pricing.BaseFee);
        Assert.Equal(new PricingDiscount("percent", 10m, new DateOnly(2019, 12, 31)), client.Pricing.Discount);
        Assert.Equal(3, client.Seats);
        // (120 + 3 active seats x 15) x 90% = 148.50
        Assert.Equal(new Money("148.50", "USD"), client.Mrr);
        Assert.False(client.InTrial);
    }

    [Fact]
    public async Task Console_counts_leads_created_in_the_current_billing_period()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var tenant = await bed.CreateTenantAsync();
        await bed.AddPricingAsync(tenant.Id, new DateOnly(2019, 1, 1), baseFee: 100m, seatPrice: 10m, billingDay: 15);
        await bed.AddLeadAsync(tenant.Id, new DateTimeOffset(2019, 5, 20, 0, 0, 0, TimeSpan.Zero));
        await bed.AddLeadAsync(tenant.Id, new DateTimeOffset(2019, 6, 14, 23, 59, 59, TimeSpan.Zero));
        await bed.AddLeadAsync(tenant.Id, new DateTimeOffset(2019, 6, 15, 0, 0, 0, TimeSpan.Zero));
        await bed.AddLeadAsync(tenant.Id, new DateTimeOffset(2019, 6, 20, 9, 0, 0, TimeSpan.Zero));

        var client = await ClientAsync(bed, tenant.Id);

        Assert.Equal(new BillingPeriod(new DateOnly(2019, 6, 15), new DateOnly(2019, 7, 15)), client.Period);
        Assert.Equal(2, client.LeadsThisPeriod);
    }

    [Fact]
    public async Task Console_shows_ai_cost_billed_and_margin_this_month_against_the_budget()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var tenant = await bed.CreateTenantAsync();
        await bed.SetAiMonthlyLimitAsync(tenant.Id, 10m);
        await bed.AddAiUsageAsync(tenant.Id, new DateTimeOffset(2019, 6, 1, 0, 0, 0, TimeSpan.Zero), costUsd: 1.20m, billableUsd: 1.50m);
        await bed.AddAiUsageAsync(tenant.Id, new DateTimeOffset(2019, 6, 19, 0, 0, 0, TimeSpan.Zero), costUsd: 0.80m, billableUsd: 1.00m);
        await bed.AddAiUsageAsync(tenant.Id, new DateTimeOffset(2019, 5, 31, 23, 59, 0, TimeSpan.Zero), costUsd: 5m, billableUsd: 6m);

        var ai = (await ClientAsync(bed, tenant.Id)).Ai;

        Assert.Equal(new ClientAiSpend(new DateOnly(2019, 6, 1), new Money("2.00", "USD"), new Money("2.50", "USD"), new Money("0.50", "USD"),
            new Money("10.00", "USD"), LimitIsDefault: false, BudgetUsedPercent: 20.0m), ai);
    }

    [Fact]
    public async Task Console_without_an_ai_limit_of_its_own_shows_the_configured_default()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var tenant = await bed.CreateTenantAsync();
        var configured = bed.Get<IOptions<AiOptions>>().Value.Budget.DefaultTenantMonthlyLimitUsd;

        var ai = (await ClientAsync(bed, tenant.Id)).Ai;

        Assert.True(ai.LimitIsDefault);
        Assert.Equal(configured is { } limit ? Money.Of(limit, "USD") : null, ai.MonthlyLimitUsd);
    }

    [Fact]
    public async Task Console_sums_outstanding_and_overdue_invoices_and_ignores_paid_void_and_drafts()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var tenant = await bed.CreateTenantAsync();
        SeedLine[] hundred = [new(InvoiceLineType.BaseFee, 100m)];
        SeedLine[] fifty = [new(InvoiceLineType.BaseFee, 50m)];
        await bed.AddInvoiceAsync(tenant.Id, new DateOnly(2019, 4, 1), InvoiceStatus.Open, hundred, dueAt: new DateTimeOffset(2019, 6, 10, 0, 0, 0, TimeSpan.Zero));
        await bed.AddInvoiceAsync(tenant.Id, new DateOnly(2019, 5, 1), InvoiceStatus.PaymentFailed, fifty,
            dueAt: new DateTimeOffset(2019, 7, 1, 0, 0, 0, TimeSpan.Zero), creditedTotal: 5m);
        await bed.AddInvoiceAsync(tenant.Id, new DateOnly(2019, 3, 1), InvoiceStatus.Paid, hundred);
        await bed.AddInvoiceAsync(tenant.Id, new DateOnly(2019, 2, 1), InvoiceStatus.Void, hundred);
        await bed.AddInvoiceAsync(tenant.Id, new DateOnly(2019, 6, 1), InvoiceStatus.Draft, hundred);

        var client = await ClientAsync(bed, tenant.Id);

        // Open 100 + 10% tax = 110.00 (overdue since 10 June); failed 50 + 5 tax - 5 credited = 50.00 (due 1 July).
        Assert.Equal([new Money("160.00", "USD")], client.Outstanding);
        Assert.Equal([new Money("110.00", "USD")], client.Overdue);
        Assert.Equal((2, 1), (client.OpenInvoices, client.OverdueInvoices));
    }

    [Fact]
    public async Task Console_lists_a_client_without_a_price_with_no_mrr()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var tenant = await bed.CreateTenantAsync();

        var client = await ClientAsync(bed, tenant.Id);

        Assert.Equal((tenant.Name, tenant.Slug, "active"), (client.Name, client.Slug, client.Status));
        Assert.Null(client.Pricing);
        Assert.Null(client.Mrr);
        Assert.Equal(new BillingPeriod(new DateOnly(2019, 6, 1), new DateOnly(2019, 7, 1)), client.Period);
    }

    private static async Task<ConsoleClient> ClientAsync(InvoiceSeedBed bed, Guid tenantId) =>
        Assert.Single((await bed.Get<MonetizationConsoleService>().ClientsAsync(CancellationToken.None)).Clients, c => c.TenantId == tenantId);
}
