using StreamFlow.Core.Billing;
using StreamFlow.Core.Billing.Calculation;
using StreamFlow.Core.Billing.Pricing;

namespace StreamFlow.UnitTests.Billing;

public sealed class InvoiceCalculatorTests
{
    // November 2026: 30 days, billing day 1.
    private static readonly BillingPeriod November = new(new DateOnly(2026, 11, 1), new DateOnly(2026, 12, 1));
    private static readonly Dictionary<string, decimal> Rates = new() { ["EUR"] = 0.9m };

    [Fact]
    public void A_client_with_no_usage_pays_the_base_fee_only()
    {
        var invoice = Calculate([Terms(Nov(1))], []);

        var line = Assert.Single(invoice.Lines);
        Assert.Equal((InvoiceLineType.BaseFee, 300.00m, "Base fee"), (line.LineType, line.Amount, line.Description));
        Assert.Equal((300.00m, 0m, 0m, 300.00m), (invoice.Subtotal, invoice.DiscountTotal, invoice.TaxTotal, invoice.Total));
    }

    [Fact]
    public void A_mid_period_price_change_prorates_the_base_fee_by_day_on_one_line_per_price()
    {
        var invoice = Calculate([Terms(Nov(1)), Terms(Nov(16)) with { BaseFee = 600m }], []);

        Assert.Equal([150.00m, 300.00m], invoice.Lines.Select(l => l.Amount));
        Assert.Equal(
            ["Base fee 2026-11-01 to 2026-11-15 (15 of 30 days)", "Base fee 2026-11-16 to 2026-11-30 (15 of 30 days)"],
            invoice.Lines.Select(l => l.Description));
        Assert.Equal(450.00m, invoice.Total);
    }

    [Fact]
    public void Seats_are_charged_per_seat_day_at_the_price_of_each_day()
    {
        // Two seats every day; the seat price doubles from the 21st.
        var usage = Days(Nov(1), 30).Select(day => new DailyUsage(day, 2, 0, 0m)).ToList();

        var invoice = Calculate([Terms(Nov(1)) with { BaseFee = 0m }, Terms(Nov(21)) with { BaseFee = 0m, SeatPrice = 60m }], usage);

        Assert.Equal([(40m, 40.00m), (20m, 40.00m)], invoice.Lines.Select(l => (l.Quantity, l.Amount)));
    }

    [Fact]
    public void Lead_overage_uses_the_included_leads_and_price_in_effect_at_the_end_of_the_period()
    {
        var usage = new[] { new DailyUsage(Nov(3), 0, 60, 0m), new DailyUsage(Nov(25), 0, 60, 0m) };

        var invoice = Calculate([Terms(Nov(1)) with { IncludedLeads = 100, LeadPrice = 0.5m }, Terms(Nov(20)) with { IncludedLeads = 50, LeadPrice = 1m }], usage);

        var overage = Assert.Single(invoice.Lines, l => l.LineType == InvoiceLineType.LeadOverage);
        Assert.Equal((70m, 1m, 70.00m), (overage.Quantity, overage.UnitAmount, overage.Amount));
    }

    [Fact]
    public void A_half_cent_rounds_up_on_the_line()
    {
        // 10.01 × 15 / 30 = 5.005
        var invoice = Calculate([Terms(Nov(1)) with { BaseFee = 1m }, Terms(Nov(16)) with { BaseFee = 10.01m }], []);

        Assert.Equal(5.01m, invoice.Lines[1].Amount);
    }

    [Theory]
    [InlineData(1.005, "USD", 1.01)]
    [InlineData(-1.005, "USD", -1.01)]
    [InlineData(1.0049, "USD", 1.00)]
    [InlineData(2.5, "JPY", 3)]
    [InlineData(-2.5, "JPY", -3)]
    public void Rounding_is_half_away_from_zero_to_the_minor_unit(decimal amount, string currency, decimal expected) =>
        Assert.Equal(expected, Currencies.Round(amount, currency));

    [Fact]
    public void Totals_are_sums_of_the_rounded_lines()
    {
        // Three ten-day segments of a 100.00 fee: 33.33 each, so 99.99 in all, not 100.00.
        var invoice = Calculate([Terms(Nov(1)) with { BaseFee = 100m }, Terms(Nov(11)) with { BaseFee = 100m, SeatPrice = 1m }, Terms(Nov(21)) with { BaseFee = 100m, SeatPrice = 2m }], []);

        Assert.Equal([33.33m, 33.33m, 33.33m], invoice.Lines.Select(l => l.Amount));
        Assert.Equal(99.99m, invoice.Total);
    }

    [Fact]
    public void Zero_decimal_currencies_round_to_whole_units()
    {
        var invoice = Calculate([Terms(Nov(21)) with { Currency = "JPY", BaseFee = 1000m }], []);

        Assert.Equal(333m, Assert.Single(invoice.Lines).Amount);
    }

    [Fact]
    public void An_amount_discount_that_ends_mid_period_is_prorated_by_its_days()
    {
        var invoice = Calculate([Terms(Nov(1)) with { Discount = new DiscountTerms(DiscountKind.Amount, 30m, Nov(10)) }], []);

        var discount = Assert.Single(invoice.Lines, l => l.LineType == InvoiceLineType.Discount);
        Assert.Equal((-10.00m, 10m), (discount.Amount, discount.Quantity));
        Assert.Equal((300.00m, 10.00m, 290.00m), (invoice.Subtotal, invoice.DiscountTotal, invoice.Total));
    }

    [Fact]
    public void A_percent_discount_that_ends_mid_period_takes_its_share_of_the_days_it_covers()
    {
        var invoice = Calculate([Terms(Nov(1)) with { Discount = new DiscountTerms(DiscountKind.Percent, 10m, Nov(15)) }], []);

        Assert.Equal(15.00m, invoice.DiscountTotal);
        Assert.Equal(285.00m, invoice.Total);
    }

    [Fact]
    public void An_ended_discount_gives_nothing()
    {
        var invoice = Calculate([Terms(Nov(1)) with { Discount = new DiscountTerms(DiscountKind.Percent, 50m, new DateOnly(2026, 10, 31)) }], []);

        Assert.DoesNotContain(invoice.Lines, l => l.LineType == InvoiceLineType.Discount);
        Assert.Equal(300.00m, invoice.Total);
    }

    [Fact]
    public void A_discount_larger_than_the_charges_never_takes_the_total_below_zero()
    {
        var invoice = Calculate([Terms(Nov(1)) with { BaseFee = 100m, TaxRate = 0.2m, Discount = new DiscountTerms(DiscountKind.Amount, 500m, null) }], []);

        Assert.Equal((100.00m, 100.00m, 0m, 0m), (invoice.Subtotal, invoice.DiscountTotal, invoice.TaxTotal, invoice.Total));
        Assert.All(invoice.Lines.Where(l => l.LineType != InvoiceLineType.Discount), l => Assert.True(l.Amount >= 0));
    }

    [Fact]
    public void Tax_is_charged_on_the_discounted_subtotal()
    {
        var invoice = Calculate([Terms(Nov(1)) with { BaseFee = 100m, TaxRate = 0.2m, Discount = new DiscountTerms(DiscountKind.Percent, 10m, null) }], []);

        Assert.Equal((100.00m, 10.00m, 0.2m, 18.00m, 108.00m), (invoice.Subtotal, invoice.DiscountTotal, invoice.TaxRate, invoice.TaxTotal, invoice.Total));
    }

    [Fact]
    public void Without_a_rate_of_its_own_the_client_pays_the_default_tax()
    {
        var invoice = InvoiceCalculator.Calculate(November, new PricingTimeline([Terms(Nov(1))]), [], 0.075m, Rates)!;

        Assert.Equal((0.075m, 22.50m), (invoice.TaxRate, invoice.TaxTotal));
    }

    [Fact]
    public void Nothing_is_charged_for_trial_days()
    {
        var usage = new[] { new DailyUsage(Nov(5), 3, 500, 7m), new DailyUsage(Nov(15), 1, 0, 0m) };

        var invoice = Calculate([Terms(Nov(1)) with { TrialEndsOn = Nov(11), IncludedLeads = 0, LeadPrice = 1m }], usage);

        Assert.Equal([(InvoiceLineType.BaseFee, 200.00m), (InvoiceLineType.Seats, 1.00m)], invoice.Lines.Select(l => (l.LineType, l.Amount)));
    }

    [Fact]
    public void A_period_entirely_in_trial_is_invoiced_at_zero()
    {
        var invoice = Calculate([Terms(Nov(1)) with { TrialEndsOn = new DateOnly(2027, 1, 1) }], [new DailyUsage(Nov(2), 4, 10, 1m)]);

        Assert.Empty(invoice.Lines);
        Assert.Equal(0m, invoice.Total);
    }

    [Fact]
    public void Ai_usage_is_the_ledgers_billable_usd_converted_to_the_invoice_currency()
    {
        var usage = new[] { new DailyUsage(Nov(2), 0, 0, 10m), new DailyUsage(Nov(3), 0, 0, 2.345m) };

        var invoice = Calculate([Terms(Nov(1)) with { Currency = "EUR", BaseFee = 0m }], usage);

        var ai = Assert.Single(invoice.Lines);
        Assert.Equal((InvoiceLineType.AiUsage, 12.345m, 0.9m, 11.11m), (ai.LineType, ai.Quantity, ai.UnitAmount, ai.Amount));
        Assert.Equal("EUR", invoice.Currency);
    }

    [Fact]
    public void Days_before_the_first_price_are_not_charged()
    {
        var invoice = Calculate([Terms(Nov(21))], [new DailyUsage(Nov(2), 5, 0, 0m)]);

        Assert.Equal([(InvoiceLineType.BaseFee, 100.00m)], invoice.Lines.Select(l => (l.LineType, l.Amount)));
    }

    [Fact]
    public void A_period_without_any_price_has_no_invoice()
    {
        Assert.Null(InvoiceCalculator.Calculate(November, new PricingTimeline([Terms(new DateOnly(2026, 12, 1))]), [], 0m, Rates));
    }

    private static InvoiceCalculation Calculate(PricingTerms[] terms, IReadOnlyList<DailyUsage> usage) =>
        InvoiceCalculator.Calculate(November, new PricingTimeline(terms), usage, 0m, Rates)!;

    private static PricingTerms Terms(DateOnly from) =>
        new(from, null, "USD", 300m, 30m, 1000, 0.5m, 0.25m, null, 1, null, null);

    private static DateOnly Nov(int day) => new(2026, 11, day);

    private static IEnumerable<DateOnly> Days(DateOnly from, int count) => Enumerable.Range(0, count).Select(from.AddDays);
}
