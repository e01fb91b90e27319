using System.Buffers.Binary;
using System.IO.Compression;
using StreamFlow.Core.Billing;
using StreamFlow.Core.Billing.Credits;
using StreamFlow.Core.Branding;
using StreamFlow.Core.Kernel;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;

namespace StreamFlow.UnitTests.Billing;

/// <summary>The provider's invoice and credit note PDFs wear its brand: the band in its primary colour, the accent rule, the logo.</summary>
public sealed class BrandedPdfTests
{
    private static readonly Brand Acme = new("Acme Billing", "#0B3D91", "#FFCC00", "Acme", null, null, new BrandLogo("image/png", Png(120, 40), 120, 40))
    {
        ChosenName = "Acme Billing",
    };

    private static readonly Invoice Invoice = new(Guid.NewGuid(), Guid.NewGuid(), "INV-000042", InvoiceStatus.Open, new DateOnly(2026, 11, 1), new DateOnly(2026, 12, 1), "USD",
        Money.Of(330m, "USD"), Money.Of(0m, "USD"), 0m, Money.Of(0m, "USD"), Money.Of(330m, "USD"), Money.Of(100m, "USD"), Money.Of(230m, "USD"),
        DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(14), null, null, null, null,
        [new InvoiceLine(1, InvoiceLineType.BaseFee, "Base fee", 1m, 330m, Money.Of(330m, "USD"), new DateOnly(2026, 11, 1), new DateOnly(2026, 12, 1))]);

    [Fact]
    public void The_invoice_pdf_has_the_brand_band_accent_rule_logo_and_name()
    {
        using var pdf = PdfDocument.Open(InvoicePdf.Render(Invoice, "Client Co", "Acme Billing", Acme));
        var page = pdf.GetPage(1);

        AssertBranded(page, (0x0B, 0x3D, 0x91), (0xFF, 0xCC, 0x00));
        Assert.Contains("Acme Billing", page.Text, StringComparison.Ordinal);
        // White on the dark blue band (the contrast rule of the mail).
        Assert.Contains(page.Letters.Where(l => l.Value == "A"), l => Rgb(l.Color) == (255, 255, 255));
        foreach (var expected in new[] { "INV-000042", "330.00", "230.00" })
        {
            Assert.Contains(expected, page.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_credit_note_pdf_has_the_same_brand()
    {
        var note = new CreditNoteView(Guid.NewGuid(), Guid.NewGuid(), "CN-000007", "account", null, null, Money.Of(49.99m, "USD"), 4_999, "Missed sync",
            Money.Of(0m, "USD"), Money.Of(49.99m, "USD"), [], DateTimeOffset.UtcNow, "provider:billing@example.test");

        using var pdf = PdfDocument.Open(CreditNotePdf.Render(note, "Client Co", "Acme Billing", Acme));
        var page = pdf.GetPage(1);

        AssertBranded(page, (0x0B, 0x3D, 0x91), (0xFF, 0xCC, 0x00));
        Assert.Contains("CN-000007", page.Text, StringComparison.Ordinal);
        Assert.Contains("49.99", page.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_logo_the_pdf_writer_cannot_decode_is_left_out_and_the_document_still_renders()
    {
        var broken = Acme with { Logo = new BrandLogo("image/png", Png(120, 40)[..40], 120, 40) };

        using var pdf = PdfDocument.Open(InvoicePdf.Render(Invoice, "Client Co", "Acme Billing", broken));

        Assert.Equal(0, pdf.GetPage(1).NumberOfImages);
        AssertBranded(pdf.GetPage(1), (0x0B, 0x3D, 0x91), (0xFF, 0xCC, 0x00), images: 0);
    }

    [Fact]
    public void The_built_in_brand_is_used_when_nobody_chose_one()
    {
        using var pdf = PdfDocument.Open(InvoicePdf.Render(Invoice, "Client Co", "StreamCore", Brand.BuiltIn));

        AssertBranded(pdf.GetPage(1), (0x1F, 0x4E, 0x79), (0xF2, 0xA9, 0x00), images: 0);
    }

    private static void AssertBranded(Page page, (int, int, int) primary, (int, int, int) accent, int images = 1)
    {
        Assert.Contains(page.Paths, p => p.IsFilled && p.FillColor is { } fill && Rgb(fill) == primary);
        Assert.Contains(page.Paths, p => p.IsStroked && p.StrokeColor is { } stroke && Rgb(stroke) == accent);
        Assert.Equal(images, page.NumberOfImages);
    }

    private static (int, int, int) Rgb(UglyToad.PdfPig.Graphics.Colors.IColor color)
    {
        var (r, g, b) = color.ToRGBValues();
        return ((int)Math.Round(r * 255), (int)Math.Round(g * 255), (int)Math.Round(b * 255));
    }

    /// <summary>A real, decodable 8-bit RGB PNG of one colour (signature, IHDR, zlib IDAT, IEND, with CRCs).</summary>
    internal static byte[] Png(int width, int height)
    {
        var raw = new byte[height * (1 + width * 3)];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var at = y * (1 + width * 3) + 1 + x * 3;
                (raw[at], raw[at + 1], raw[at + 2]) = ((byte)0xC0, (byte)0x30, (byte)0x30);
            }
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(raw);
        }

        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)height);
        header[8] = 8;
        header[9] = 2;
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)data.Length);
        png.Write(length);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        png.Write(crc);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
