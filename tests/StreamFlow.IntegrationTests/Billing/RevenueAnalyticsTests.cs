using Dapper;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Kernel;

namespace StreamFlow.IntegrationTests.Billing;

/// <summary>
/// Each test seeds its own year, far from the present, so that other tests' invoices and AI usage (the database is
/// shared by the collection) never fall into the months it reads.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class RevenueAnalyticsTests(TestServices services)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Mrr_per_month_splits_into_new_expansion_contraction_and_churned()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var a = (await bed.CreateTenantAsync()).Id;
        var b = (await bed.CreateTenantAsync()).Id;
        var c = (await bed.CreateTenantAsync()).Id;
        await Recurring(bed, a, 2016, 1, [new(InvoiceLineType.BaseFee, 100m), new(InvoiceLineType.LeadOverage, 7.50m), new(InvoiceLineType.AiUsage, 3.25m)]);
        await Recurring(bed, a, 2016, 2, [new(InvoiceLineType.BaseFee, 100m), new(InvoiceLineType.Seats, 20m, Quantity: 2m)]);
        await Recurring(bed, a, 2016, 3, [new(InvoiceLineType.BaseFee, 100m), new(InvoiceLineType.Seats, 20m, Quantity: 2m)]);
        await bed.AddInvoiceAsync(a, new DateOnly(2016, 4, 1), InvoiceStatus.Draft, [new(InvoiceLineType.BaseFee, 100m)]);
        await Recurring(bed, b, 2016, 2, [new(InvoiceLineType.BaseFee, 200m), new(InvoiceLineType.Discount, 20m)]);
        await Recurring(bed, b, 2016, 3, [new(InvoiceLineType.BaseFee, 150m)]);
        await Recurring(bed, b, 2016, 4, [new(InvoiceLineType.BaseFee, 150m)]);
        await Recurring(bed, c, 2016, 1, [new(InvoiceLineType.BaseFee, 50m)]);
        await bed.AddInvoiceAsync(c, new DateOnly(2016, 2, 1), InvoiceStatus.Void, [new(InvoiceLineType.BaseFee, 999m)]);
        await Recurring(bed, c, 2016, 3, [new(InvoiceLineType.BaseFee, 50m)]);

        var analytics = await AnalyticsAsync(bed, new DateOnly(2016, 1, 1), new DateOnly(2016, 4, 30));

        // Jan: a 100 and c 50 are new. Feb: b 180 new, a +20, c (void invoice only) churns 50. Mar: c is back, b -30. Apr: a (draft only) and c churn.
        Assert.Equal(
            [
                Month("2016-01", mrr: 150m, added: 150m, expansion: 0m, contraction: 0m, churned: 0m, paying: 2, newClients: 2, churnedClients: 0, revenue: 160.75m),
                Month("2016-02", mrr: 300m, added: 180m, expansion: 20m, contraction: 0m, churned: 50m, paying: 2, newClients: 1, churnedClients: 1, revenue: 300m),
                Month("2016-03", mrr: 320m, added: 50m, expansion: 0m, contraction: 30m, churned: 0m, paying: 3, newClients: 1, churnedClients: 0, revenue: 320m),
                Month("2016-04", mrr: 150m, added: 0m, expansion: 0m, contraction: 0m, churned: 170m, paying: 1, newClients: 0, churnedClients: 2, revenue: 150m),
            ],
            analytics.Months);
    }

    [Fact]
    public async Task Revenue_is_summed_by_client_and_by_line_type_per_currency()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var dollars = await bed.CreateTenantAsync("Dollar Plumbing");
        var euros = await bed.CreateTenantAsync("Euro Roofing");
        await Recurring(bed, dollars.Id, 2015, 3, [new(InvoiceLineType.BaseFee, 100m), new(InvoiceLineType.Seats, 30m, Quantity: 3m), new(InvoiceLineType.Discount, 13m)]);
        await Recurring(bed, dollars.Id, 2015, 4, [new(InvoiceLineType.BaseFee, 100m), new(InvoiceLineType.LeadOverage, 12.40m), new(InvoiceLineType.AiUsage, 1.60m)]);
        await Recurring(bed, euros.Id, 2015, 4, [new(InvoiceLineType.BaseFee, 80m), new(InvoiceLineType.AiUsage, 4m)], currency: "EUR");
        await Recurring(bed, euros.Id, 2015, 2, [new(InvoiceLineType.BaseFee, 1000m)], currency: "EUR");

        var analytics = await AnalyticsAsync(bed, new DateOnly(2015, 3, 1), new DateOnly(2015, 4, 30));

        Assert.Equal(
            [
                // 100 + 30 - 13 + 100 + 12.40 + 1.60; recurring 100 + 30 - 13 + 100. February lies before the range.
                new ClientRevenue(dollars.Id, dollars.Name, dollars.Slug, new Money("231.00", "USD"), new Money("217.00", "USD")),
                new ClientRevenue(euros.Id, euros.Name, euros.Slug, new Money("84.00", "EUR"), new Money("80.00", "EUR")),
            ],
            analytics.ByClient);
        Assert.Equal(
            [
                new LineTypeRevenue("ai_usage", new Money("4.00", "EUR")),
                new LineTypeRevenue("base_fee", new Money("80.00", "EUR")),
                new LineTypeRevenue("ai_usage", new Money("1.60", "USD")),
                new LineTypeRevenue("base_fee", new Money("200.00", "USD")),
                new LineTypeRevenue("discount", new Money("-13.00", "USD")),
                new LineTypeRevenue("lead_overage", new Money("12.40", "USD")),
                new LineTypeRevenue("seats", new Money("30.00", "USD")),
            ],
            analytics.ByLineType);
    }

    [Fact]
    public async Task Credit_notes_lower_the_revenue_of_the_period_they_correct_but_not_its_mrr()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var client = await bed.CreateTenantAsync("Credited Electric");
        var invoice = await bed.AddInvoiceAsync(client.Id, new DateOnly(2013, 6, 1), InvoiceStatus.Paid,
            [new(InvoiceLineType.BaseFee, 100m), new(InvoiceLineType.LeadOverage, 20m)]);
        await bed.Database.InTenantAsync(client.Id, scope => scope.Connection.ExecuteAsync(scope.Command("""
            INSERT INTO credit_notes (id, tenant_id, invoice_id, number, amount, currency, reason, created_at, created_by)
            VALUES (gen_random_uuid(), @TenantId, @InvoiceId, 'CN-T' || substr(md5(random()::text), 1, 12), 15.50, 'USD', 'Overage billed twice', now(), 'test')
            """, new { TenantId = client.Id, InvoiceId = invoice.Id })), CancellationToken.None);

        var analytics = await AnalyticsAsync(bed, new DateOnly(2013, 6, 1), new DateOnly(2013, 6, 30));

        // 100 + 20 - 15.50 kept; the recurring part (MRR) stays 100.
        Assert.Equal([new ClientRevenue(client.Id, client.Name, client.Slug, new Money("104.50", "USD"), new Money("100.00", "USD"))], analytics.ByClient);
        Assert.Contains(new LineTypeRevenue("credit_note", new Money("-15.50", "USD")), analytics.ByLineType);
        Assert.Equal(Money.Of(100m, "USD"), Assert.Single(analytics.Months).Mrr);
    }

    [Fact]
    public async Task Account_credit_taken_off_an_invoice_lowers_the_revenue_of_its_period_but_not_its_mrr()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var client = await bed.CreateTenantAsync("Account Credit Roofing");
        var july = await bed.AddInvoiceAsync(client.Id, new DateOnly(2011, 7, 1), InvoiceStatus.Paid, [new(InvoiceLineType.BaseFee, 200m)]);
        var august = await bed.AddInvoiceAsync(client.Id, new DateOnly(2011, 8, 1), InvoiceStatus.Paid, [new(InvoiceLineType.BaseFee, 200m)]);
        // One 250.00 account credit: 200.00 taken off July's invoice, the other 50.00 off August's.
        await bed.Database.InTenantAsync(client.Id, scope => scope.Connection.ExecuteAsync(scope.Command("""
            WITH note AS (
                INSERT INTO credit_notes (id, tenant_id, invoice_id, number, amount, currency, reason, created_at, created_by)
                VALUES (gen_random_uuid(), @TenantId, NULL, 'CN-A' || substr(md5(random()::text), 1, 12), 250.00, 'USD', 'Goodwill', now(), 'test')
                RETURNING id)
            INSERT INTO credit_note_applications (id, tenant_id, credit_note_id, invoice_id, amount, applied_at)
            SELECT gen_random_uuid(), @TenantId, note.id, applied.invoice_id, applied.amount, now()
            FROM note, (VALUES (@July, 200.00), (@August, 50.00)) AS applied (invoice_id, amount)
            """, new { TenantId = client.Id, July = july.Id, August = august.Id })), CancellationToken.None);

        var analytics = await AnalyticsAsync(bed, new DateOnly(2011, 7, 1), new DateOnly(2011, 8, 31));

        Assert.Equal([new ClientRevenue(client.Id, client.Name, client.Slug, new Money("150.00", "USD"), new Money("400.00", "USD"))], analytics.ByClient);
        Assert.Contains(new LineTypeRevenue("account_credit", new Money("-250.00", "USD")), analytics.ByLineType);
        Assert.Equal([("2011-07", "0.00", "200.00"), ("2011-08", "150.00", "200.00")],
            analytics.Months.Select(m => (m.Month, m.Revenue.Amount, m.Mrr.Amount)).ToList());
    }

    [Fact]
    public async Task Ai_margin_per_month_is_billed_minus_cost_from_the_usage_ledger()
    {
        using var bed = new InvoiceSeedBed(services, Now);
        var a = (await bed.CreateTenantAsync()).Id;
        var b = (await bed.CreateTenantAsync()).Id;
        await bed.AddAiUsageAsync(a, new DateTimeOffset(2014, 1, 3, 0, 0, 0, TimeSpan.Zero), costUsd: 1.00m, billableUsd: 1.25m);
        await bed.AddAiUsageAsync(b, new DateTimeOffset(2014, 1, 31, 23, 0, 0, TimeSpan.Zero), costUsd: 0.50m, billableUsd: 0.60m);
        await bed.AddAiUsageAsync(a, new DateTimeOffset(2014, 2, 10, 0, 0, 0, TimeSpan.Zero), costUsd: 2.00m, billableUsd: 2.50m);
        await bed.AddAiUsageAsync(a, new DateTimeOffset(2014, 3, 1, 0, 0, 0, TimeSpan.Zero), costUsd: 9m, billableUsd: 9m);

        var analytics = await AnalyticsAsync(bed, new DateOnly(2014, 1, 1), new DateOnly(2014, 2, 28));

        Assert.Equal(
            [
                new AiMarginMonth("2014-01", new Money("1.50", "USD"), new Money("1.85", "USD"), new Money("0.35", "USD")),
                new AiMarginMonth("2014-02", new Money("2.00", "USD"), new Money("2.50", "USD"), new Money("0.50", "USD")),
            ],
            analytics.AiMargin);
    }

    [Fact]
    public async Task Analytics_refuses_a_range_that_ends_before_it_starts()
    {
        using var bed = new InvoiceSeedBed(services, Now);

        var result = await bed.Get<MonetizationConsoleService>().AnalyticsAsync(new DateOnly(2020, 5, 1), new DateOnly(2020, 4, 30), CancellationToken.None);

        Assert.Contains("to", result.Problem!.Errors!.Keys);
    }

    private static Task Recurring(InvoiceSeedBed bed, Guid tenantId, int year, int month, SeedLine[] lines, string currency = "USD") =>
        bed.AddInvoiceAsync(tenantId, new DateOnly(year, month, 1), InvoiceStatus.Paid, lines, currency);

    private static async Task<RevenueAnalytics> AnalyticsAsync(InvoiceSeedBed bed, DateOnly from, DateOnly to)
    {
        var result = await bed.Get<MonetizationConsoleService>().AnalyticsAsync(from, to, CancellationToken.None);
        Assert.True(result.Succeeded, result.Problem?.Detail);
        return result.Value;
    }

    private static MonthlyRevenue Month(
        string month, decimal mrr, decimal added, decimal expansion, decimal contraction, decimal churned, int paying, int newClients, int churnedClients, decimal revenue) =>
        new(month, "USD", Money.Of(mrr, "USD"), Money.Of(added, "USD"), Money.Of(expansion, "USD"), Money.Of(contraction, "USD"), Money.Of(churned, "USD"),
            paying, newClients, churnedClients, Money.Of(revenue, "USD"));
}
