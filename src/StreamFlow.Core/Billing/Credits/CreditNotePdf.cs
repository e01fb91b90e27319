using System.Globalization;
using StreamFlow.Core.Branding;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace StreamFlow.Core.Billing.Credits;

/// <summary>
/// A credit note as a PDF, like the invoice's (<see cref="InvoicePdf"/>): the provider's brand band, the credit note's
/// number and date, the business it is issued to, what it credits (an invoice, or the account), the reason, the
/// amount and, for account credit, the invoices it was taken off so far. Standard 14 fonts, text extractable.
/// </summary>
internal static class CreditNotePdf
{
    private const double Left = 50;
    private const double Right = 545;

    public static byte[] Render(CreditNoteView note, string clientName, string issuerName, Brand brand)
    {
        using var builder = new PdfDocumentBuilder();
        builder.DocumentInformation.Title = $"Credit note {note.Number}";
        builder.DocumentInformation.Producer = issuerName;
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);

        var page = builder.AddPage(PageSize.A4);
        PdfBrand.DrawHeader(page, brand, issuerName, bold, Left, Right);
        var y = PdfBrand.ContentTop;
        page.AddText("CREDIT NOTE", 20, new PdfPoint(Left, y - 20), bold);
        Pdf.RightAligned(page, $"Credit note {Pdf.Safe(note.Number)}", 12, y - 20, Right, bold);
        y -= 52;

        page.AddText("Issued to", 9, new PdfPoint(Left, y), bold);
        page.AddText(Pdf.Safe(clientName), 11, new PdfPoint(Left, y - 14), regular);
        Pdf.RightAligned(page, $"Issued: {note.IssuedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}", 10, y, Right, regular);
        Pdf.RightAligned(page, note.Kind == "invoice" ? $"Against invoice {Pdf.Safe(note.InvoiceNumber ?? "")}" : "Account credit", 10, y - 14, Right, regular);
        y -= 48;

        page.AddText("Reason", 10, new PdfPoint(Left, y), bold);
        y -= 16;
        foreach (var line in Wrap(Pdf.Safe(note.Reason), 90))
        {
            page.AddText(line, 10, new PdfPoint(Left, y), regular);
            y -= 14;
        }

        y -= 10;
        page.DrawLine(new PdfPoint(Left, y + 8), new PdfPoint(Right, y + 8), 0.5);
        y -= 8;
        Pdf.RightAligned(page, $"Credit ({note.Amount.Currency})", 11, y, 450, bold);
        Pdf.RightAligned(page, note.Amount.Amount, 11, y, Right, bold);
        y -= 24;

        if (note.Kind == "account")
        {
            page.AddText("This credit is taken off your next invoice(s), never below zero.", 10, new PdfPoint(Left, y), regular);
            y -= 20;
            foreach (var application in note.Applications)
            {
                page.AddText($"Applied to invoice {Pdf.Safe(application.InvoiceNumber ?? "")} on {application.AppliedAt.UtcDateTime:yyyy-MM-dd}", 10, new PdfPoint(Left, y), regular);
                Pdf.RightAligned(page, "-" + application.Amount.Amount, 10, y, Right, regular);
                y -= 16;
            }

            Pdf.RightAligned(page, $"Remaining credit ({note.Remaining.Currency})", 10, y, 450, bold);
            Pdf.RightAligned(page, note.Remaining.Amount, 10, y, Right, bold);
        }

        return builder.Build();
    }

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line;
                line = "";
            }

            line = line.Length == 0 ? (word.Length > width ? word[..width] : word) : $"{line} {word}";
        }

        if (line.Length > 0)
        {
            yield return line;
        }
    }
}
