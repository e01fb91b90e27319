using StreamFlow.Core.FieldOps;
using StreamFlow.Core.FieldOps.Quotes;
using StreamFlow.Core.Kernel;

namespace StreamFlow.UnitTests.FieldOps;

/// <summary>A quote's money follows billing's rules: per-line rounding to the minor unit, tax once on the taxable sum, optional lines only when chosen.</summary>
public sealed class QuoteMathTests
{
    [Fact]
    public void Lines_are_rounded_each_and_tax_is_applied_once_to_the_taxable_lines_that_count()
    {
        StoredQuoteLine[] lines =
        [
            new("Labour", 1.333m, 90.00m, Optional: false, Selected: false, Taxable: true), // 119.97
            new("Part", 3m, 0.335m, Optional: false, Selected: false, Taxable: true),      // 1.005 → 1.01
            new("Permit", 1m, 75.00m, Optional: false, Selected: false, Taxable: false),
            new("Extra", 1m, 500m, Optional: true, Selected: false, Taxable: true),
        ];

        var priced = QuoteMath.Price(lines, 8.25m, "USD");

        Assert.Equal(["119.97", "1.01", "75.00", "500.00"], priced.Lines.Select(l => l.Amount.Amount));
        Assert.Equal(19598, priced.SubtotalMinor);
        Assert.Equal(998, priced.TaxMinor); // 8.25 % of 120.98 = 9.98085
        Assert.Equal(20596, priced.TotalMinor);
    }

    [Fact]
    public void A_selected_optional_line_counts_and_a_zero_decimal_currency_has_no_minor_unit()
    {
        StoredQuoteLine[] lines = [new("Unit", 2m, 1234.5m, false, false, true), new("Option", 1m, 100m, true, true, false)];

        var priced = QuoteMath.Price(lines, 10m, "JPY");

        Assert.Equal(2469 + 100, priced.SubtotalMinor);
        Assert.Equal(247, priced.TaxMinor);
        Assert.Equal("2816", QuoteMath.OfMinor(priced.TotalMinor, "JPY").Amount);
    }

    [Fact]
    public void A_quote_with_bad_fields_names_each_of_them()
    {
        var input = new QuoteInput("", "Dana", "not-an-email", "1 Main St", new Location(95, 0), "XYZ1",
            [new QuoteLineInput("Part", -1, "1.001", false, false, true)], 120, "10.00", null, null);

        var result = QuoteRules.Validate(input);

        Assert.False(result.Succeeded);
        Assert.Equal(
            ["currency", "customerEmail", "lines[0].quantity", "lines[0].unitPrice", "location.latitude", "taxRate", "title"],
            result.Problem!.Errors!.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_customer_may_choose_only_optional_lines()
    {
        StoredQuoteLine[] lines = [new("Unit", 1m, 10m, false, false, true), new("Option", 1m, 5m, true, false, true)];

        var chosen = QuoteRules.ChooseOptional(lines, [1]);
        var refused = QuoteRules.ChooseOptional(lines, [0, 7]);

        Assert.True(chosen.Value![1].Selected);
        Assert.Equal(["selectedOptionalLines[0]", "selectedOptionalLines[1]"], refused.Problem!.Errors!.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_pdf_is_a_document_a_reader_opens_with_the_quote_on_it()
    {
        var quote = new Quote(
            Guid.NewGuid(), Guid.NewGuid(), "Q-7", 2, QuoteStatus.Sent, "Roof (full) replacement", "Zoë Müller", null, "1 Main St",
            new Location(30, -97), "USD", [new QuoteLine("Shingles \\ underlayment", 30m, Money.Of(42.5m, "USD"), Money.Of(1275m, "USD"), false, false, true)],
            8.25m, new QuoteTotals(Money.Of(1275m, "USD"), Money.Of(105.19m, "USD"), Money.Of(1380.19m, "USD"), Money.Of(0m, "USD")),
            new QuoteDepositSummary(Money.Of(0m, "USD"), Money.Of(0m, "USD"), Money.Of(0m, "USD"), 0, null),
            string.Join(' ', Enumerable.Repeat("Payment is due within thirty days of completion.", 200)), null, null, null, null, null, null, null,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

        var pdf = QuotePdf.Render(quote, "Reyes Roofing");

        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf);
        var text = string.Join('\n', document.GetPages().Select(p => p.Text));
        Assert.True(document.NumberOfPages > 1);
        Assert.Contains("Quote Q-7 (version 2)", text, StringComparison.Ordinal);
        Assert.Contains("Zoë Müller", text, StringComparison.Ordinal);
        Assert.Contains("Shingles \\ underlayment", text, StringComparison.Ordinal);
        Assert.Contains("1380.19", text, StringComparison.Ordinal);
    }
}
