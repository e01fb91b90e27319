using System.Globalization;
using StreamFlow.Core.Branding;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace StreamFlow.Core.Billing;

/// <summary>
/// An invoice as a PDF, made from the invoice record (not from the HTML document): the issuer's brand band
/// (<see cref="PdfBrand"/>: colours, name, logo), bill-to, the lines and the totals, in a standard 14 font so that the
/// text is extractable and no font needs to be embedded. A4, one page for any usual invoice; more lines than fit
/// continue on further pages.
/// </summary>
internal static class InvoicePdf
{
    private const double Left = 50;
    private const double Right = 545;
    private const double Top = 790;
    private const double Bottom = 60;
    private const double QuantityRight = 355;
    private const double UnitRight = 450;
    private const int DescriptionMaxChars = 52;

    public static byte[] Render(Invoice invoice, string clientName, string issuerName, Brand brand)
    {
        using var builder = new PdfDocumentBuilder();
        builder.DocumentInformation.Title = $"Invoice {invoice.Number}";
        builder.DocumentInformation.Producer = issuerName;
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);

        var page = builder.AddPage(PageSize.A4);
        PdfBrand.DrawHeader(page, brand, issuerName, bold, Left, Right);
        var y = PdfBrand.ContentTop;
        page.AddText("INVOICE", 20, new PdfPoint(Left, y - 20), bold);
        Pdf.RightAligned(page, $"Invoice {Pdf.Safe(invoice.Number ?? "(draft)")}", 12, y - 20, Right, bold);
        y -= 52;

        page.AddText("Billed to", 9, new PdfPoint(Left, y), bold);
        page.AddText(Pdf.Safe(clientName), 11, new PdfPoint(Left, y - 14), regular);
        Pdf.RightAligned(page, $"Issued: {Date(invoice.IssuedAt)}", 10, y, Right, regular);
        Pdf.RightAligned(page, $"Due: {Date(invoice.DueAt)}", 10, y - 14, Right, regular);
        Pdf.RightAligned(page, $"Period: {Day(invoice.PeriodStart)} to {Day(invoice.PeriodEnd.AddDays(-1))}", 10, y - 28, Right, regular);
        Pdf.RightAligned(page, $"Status: {invoice.Status}", 10, y - 42, Right, regular);
        y -= 74;

        void Header()
        {
            page.AddText("Description", 10, new PdfPoint(Left, y), bold);
            Pdf.RightAligned(page, "Quantity", 10, y, QuantityRight, bold);
            Pdf.RightAligned(page, "Unit price", 10, y, UnitRight, bold);
            Pdf.RightAligned(page, $"Amount ({invoice.Currency})", 10, y, Right, bold);
            page.DrawLine(new PdfPoint(Left, y - 5), new PdfPoint(Right, y - 5), 0.5);
            y -= 20;
        }

        Header();
        foreach (var line in invoice.Lines)
        {
            if (y < Bottom + 110)
            {
                page = builder.AddPage(PageSize.A4);
                y = Top;
                Header();
            }

            page.AddText(Truncate(Pdf.Safe(line.Description)), 10, new PdfPoint(Left, y), regular);
            Pdf.RightAligned(page, line.Quantity.ToString("0.######", CultureInfo.InvariantCulture), 10, y, QuantityRight, regular);
            Pdf.RightAligned(page, line.UnitAmount.ToString("0.00####", CultureInfo.InvariantCulture), 10, y, UnitRight, regular);
            Pdf.RightAligned(page, line.Amount.Amount, 10, y, Right, regular);
            y -= 16;
        }

        page.DrawLine(new PdfPoint(Left, y + 8), new PdfPoint(Right, y + 8), 0.5);
        y -= 8;
        void Total(string label, string amount, PdfDocumentBuilder.AddedFont font)
        {
            Pdf.RightAligned(page, label, 10, y, UnitRight, font);
            Pdf.RightAligned(page, amount, 10, y, Right, font);
            y -= 16;
        }

        Total("Subtotal", invoice.Subtotal.Amount, regular);
        if (invoice.DiscountTotal.Amount != "0.00")
        {
            Total("Discount", "-" + invoice.DiscountTotal.Amount, regular);
        }

        Total($"Tax ({(invoice.TaxRate * 100m).ToString("0.##", CultureInfo.InvariantCulture)}%)", invoice.TaxTotal.Amount, regular);
        Total($"Total ({invoice.Currency})", invoice.Total.Amount, bold);
        if (invoice.CreditedTotal.Amount != "0.00")
        {
            Total("Credited", "-" + invoice.CreditedTotal.Amount, regular);
        }

        Total($"Amount due ({invoice.Currency})", invoice.AmountDue.Amount, bold);
        return builder.Build();
    }

    private static string Date(DateTimeOffset? at) => at is { } value ? Day(DateOnly.FromDateTime(value.UtcDateTime)) : "-";

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Truncate(string text) => text.Length <= DescriptionMaxChars ? text : text[..(DescriptionMaxChars - 3)] + "...";
}
