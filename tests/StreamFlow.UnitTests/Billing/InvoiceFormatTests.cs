using StreamFlow.Core.Billing;

namespace StreamFlow.UnitTests.Billing;

public sealed class InvoiceFormatTests
{
    [Theory]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("-14.50", "-14.50")]
    [InlineData("a, \"b\"", "\"a, \"\"b\"\"\"")]
    [InlineData("plain", "plain")]
    public void Csv_fields_are_quoted_per_rfc_4180_and_formulas_kept_as_text(string value, string expected)
    {
        Assert.Equal(expected, InvoiceCsv.Field(value));
    }

    [Fact]
    public void Cursor_round_trips_the_sort_key()
    {
        var id = Guid.NewGuid();

        var decoded = InvoiceCursor.Decode(InvoiceCursor.Encode(new DateOnly(2026, 3, 1), id));

        Assert.Equal((new DateOnly(2026, 3, 1), id), decoded.Value);
    }

    [Fact]
    public void Cursor_that_the_list_did_not_return_is_a_validation_problem()
    {
        Assert.Contains("cursor", InvoiceCursor.Decode("not-a-cursor").Problem!.Errors!.Keys);
    }

    [Theory]
    [InlineData(null, InvoiceDocumentFormat.Html)]
    [InlineData("PDF", InvoiceDocumentFormat.Pdf)]
    [InlineData("csv", InvoiceDocumentFormat.Csv)]
    public void Document_format_defaults_to_html(string? text, InvoiceDocumentFormat expected)
    {
        Assert.True(InvoiceDocumentFormats.TryParse(text, out var format));
        Assert.Equal(expected, format);
    }
}
