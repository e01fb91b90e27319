using StreamFlow.Core.Billing;
using StreamFlow.Core.Billing.Payments;
using StreamFlow.Core.Billing.Stripe;
using StreamFlow.Core.Kernel;

namespace StreamFlow.UnitTests.Billing.Payments;

public sealed class StripeInvoiceItemsTests
{
    [Fact]
    public void Each_line_becomes_an_item_and_the_tax_one_more()
    {
        var items = StripeInvoicePayments.ItemsOf(Invoice(total: "129.60", tax: "9.60", ("base_fee", "100.00"), ("seats", "30.00"), ("discount", "-10.00")));

        Assert.Equal([("1", 10000L), ("2", 3000L), ("3", -1000L), ("tax", 960L)], items.Select(i => (i.Key, i.Amount)));
    }

    [Fact]
    public void Lines_that_do_not_add_up_to_the_total_are_never_sent()
    {
        var invoice = Invoice(total: "150.00", tax: "0.00", ("base_fee", "100.00"));

        Assert.Throws<InvoiceCollectionRejectedException>(() => StripeInvoicePayments.ItemsOf(invoice));
    }

    [Fact]
    public void Credit_notes_issued_before_submission_are_one_negative_item()
    {
        var items = StripeInvoicePayments.ItemsOf(Invoice(total: "100.00", tax: "0.00", ("base_fee", "100.00")) with { CreditedTotal = new Money("30.00", "USD") });

        Assert.Equal([("1", 10000L), ("credited", -3000L)], items.Select(i => (i.Key, i.Amount)));
    }

    private static Invoice Invoice(string total, string tax, params (string Type, string Amount)[] lines)
    {
        var start = new DateOnly(2026, 10, 1);
        var end = new DateOnly(2026, 11, 1);
        Money Usd(string amount) => new(amount, "USD");
        return new Invoice(Guid.NewGuid(), Guid.NewGuid(), "INV-1", InvoiceStatus.Open, start, end, "USD", Usd("0.00"), Usd("0.00"), 0.08m,
            Usd(tax), Usd(total), Usd("0.00"), Usd(total), null, null, null, null, null, null,
            lines.Select((line, i) => new InvoiceLine(i + 1, line.Type, line.Type, 1, 0, Usd(line.Amount), start, end)).ToList());
    }
}
