using System.Globalization;
using StreamFlow.Core.Branding;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Writer;

namespace StreamFlow.Core.Billing;

/// <summary>
/// The brand on the provider's PDFs (invoices, credit notes): a band across the top of the first page in the brand's
/// primary colour with the issuer's name (black or white, whichever contrasts more, as in the mail), the logo at its
/// right when it is a PNG or JPEG (an SVG cannot be drawn by the PDF writer: the name stands alone), and a rule in the
/// accent colour under the band. Below <see cref="ContentTop"/> the page is the document's own.
/// </summary>
internal static class PdfBrand
{
    public const double ContentTop = 770;
    private const double PageWidth = 595;
    private const double PageHeight = 842;
    private const double BandHeight = 48;
    private const double LogoHeight = 32;
    private const double LogoMaxWidth = 160;

    public static void DrawHeader(PdfPageBuilder page, Brand brand, string issuerName, PdfDocumentBuilder.AddedFont font, double left, double right)
    {
        var primary = Rgb(brand.PrimaryColor);
        var bandBottom = PageHeight - BandHeight;
        page.SetTextAndFillColor(primary.R, primary.G, primary.B);
        page.SetStrokeColor(primary.R, primary.G, primary.B);
        page.DrawRectangle(new PdfPoint(0, bandBottom), PageWidth, BandHeight, 0, fill: true);

        var accent = Rgb(brand.AccentColor);
        page.SetStrokeColor(accent.R, accent.G, accent.B);
        page.DrawLine(new PdfPoint(0, bandBottom - 2), new PdfPoint(PageWidth, bandBottom - 2), 4);

        var text = Rgb(BrandedEmailLayout.TextColourOn(brand.PrimaryColor));
        page.SetTextAndFillColor(text.R, text.G, text.B);
        page.AddText(Pdf.Safe(issuerName), 14, new PdfPoint(left, bandBottom + 18), font);
        page.ResetColor();

        if (brand.Logo is { Width: > 0, Height: > 0 } logo)
        {
            var width = Math.Min(LogoMaxWidth, LogoHeight * logo.Width / logo.Height);
            var height = width * logo.Height / logo.Width;
            var box = new PdfRectangle(right - width, bandBottom + (BandHeight - height) / 2, right, bandBottom + (BandHeight + height) / 2);
            try
            {
                switch (logo.ContentType)
                {
                    case "image/png":
                        page.AddPng(logo.Content, box);
                        break;
                    case "image/jpeg":
                        page.AddJpeg(logo.Content, box);
                        break;
                }
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // The logo passed the upload checks (magic bytes, size) but the PDF writer cannot decode it (an
                // interlaced or damaged PNG, say): the document goes out with the name alone rather than not at all.
                _ = exception;
            }
        }
    }

    private static (byte R, byte G, byte B) Rgb(string hex) => (Channel(hex, 1), Channel(hex, 3), Channel(hex, 5));

    private static byte Channel(string hex, int at) => byte.Parse(hex.AsSpan(at, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}

/// <summary>Text helpers shared by the provider's PDFs.</summary>
internal static class Pdf
{
    // The standard 14 fonts carry Latin-1-like glyphs only; anything else (and control characters) shows as '?'.
    public static string Safe(string text)
    {
        var safe = new System.Text.StringBuilder(text.Length);
        foreach (var c in text)
        {
            safe.Append(c is >= ' ' and <= '~' or >= '\u00A0' and <= '\u00FF' ? c : '?');
        }

        return safe.ToString();
    }

    public static void RightAligned(PdfPageBuilder page, string text, double size, double y, double right, PdfDocumentBuilder.AddedFont font)
    {
        var letters = page.MeasureText(text, size, new PdfPoint(0, y), font);
        var width = letters.Count == 0 ? 0 : letters[^1].EndBaseLine.X - letters[0].StartBaseLine.X;
        page.AddText(text, size, new PdfPoint(right - width, y), font);
    }
}
