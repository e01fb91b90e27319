using System.Globalization;
using System.Text;

namespace StreamFlow.Core.FieldOps.Quotes;

/// <summary>
/// The quote as a plain PDF 1.4 document: US Letter pages of text in Courier (columns line up), one of the fonts every PDF reader has,
/// so nothing is embedded and no font file is needed on the host. Characters outside Latin-1 are written as '?'.
/// </summary>
internal static class QuotePdf
{
    private const int LinesPerPage = 48;
    private const int Top = 750;
    private const int LineHeight = 14;
    private static readonly Encoding Latin1 = Encoding.Latin1;

    public static byte[] Render(Quote quote, string business) => Document(Paginate(Text(quote, business)));

    /// <summary>Any document of lines of text the same way (the business's invoices to its customers use it).</summary>
    internal static byte[] RenderLines(List<string> lines) => Document(Paginate(lines));

    internal static List<string> Text(Quote quote, string business)
    {
        var lines = new List<string>
        {
            business,
            $"Quote {quote.Number} (version {quote.Version})",
            $"For: {quote.CustomerName}",
            $"Service address: {quote.ServiceAddress}",
            $"{quote.Title}",
            "",
            $"{"Description",-50} {"Qty",8} {"Unit price",12} {"Amount",12}",
        };
        foreach (var line in quote.Lines)
        {
            var description = line.Optional ? $"{line.Description} (optional{(line.Selected ? ", selected" : "")})" : line.Description;
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{Cut(description, 50),-50} {line.Quantity,8:0.###} {line.UnitPrice.Amount,12} {line.Amount.Amount,12}"));
        }

        lines.Add("");
        lines.Add($"{"Subtotal",72} {quote.Totals.Subtotal.Amount,12}");
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"{$"Tax ({quote.TaxRate:0.###} %)",72} {quote.Totals.Tax.Amount,12}"));
        lines.Add($"{$"Total ({quote.Currency})",72} {quote.Totals.Total.Amount,12}");
        if (quote.Totals.Deposit.Amount is not ("0.00" or "0"))
        {
            lines.Add($"{"Deposit due on approval",72} {quote.Totals.Deposit.Amount,12}");
        }

        if (quote.ValidUntil is { } validUntil)
        {
            lines.Add($"Valid until {validUntil:yyyy-MM-dd}.");
        }

        if (quote.Message is { } message)
        {
            lines.Add("");
            lines.AddRange(message.Split('\n').SelectMany(Wrap));
        }

        return lines;
    }

    internal static IEnumerable<string> Wrap(string paragraph)
    {
        var rest = paragraph.TrimEnd('\r');
        while (rest.Length > 90)
        {
            var cut = rest.LastIndexOf(' ', 90) is > 0 and var space ? space : 90;
            yield return rest[..cut];
            rest = rest[cut..].TrimStart();
        }

        yield return rest;
    }

    internal static string Cut(string text, int length) => text.Length <= length ? text : text[..(length - 3)] + "...";

    private static List<List<string>> Paginate(List<string> lines) =>
        [.. lines.Chunk(LinesPerPage).Select(chunk => chunk.ToList())];

    private static byte[] Document(List<List<string>> pages)
    {
        // Objects: 1 catalog, 2 page tree, 3 font, then a page and its content stream per page.
        var objects = new List<string>
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            $"<< /Type /Pages /Kids [{string.Join(' ', pages.Select((_, i) => $"{4 + (2 * i)} 0 R"))}] /Count {pages.Count} >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>",
        };
        for (var i = 0; i < pages.Count; i++)
        {
            var content = Content(pages[i]);
            objects.Add($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents {5 + (2 * i)} 0 R >>");
            objects.Add($"<< /Length {Latin1.GetByteCount(content)} >>\nstream\n{content}\nendstream");
        }

        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Count; i++)
        {
            offsets.Add(Latin1.GetByteCount(pdf.ToString()));
            pdf.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }

        var xref = Latin1.GetByteCount(pdf.ToString());
        pdf.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            pdf.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        }

        pdf.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Latin1.GetBytes(pdf.ToString());
    }

    private static string Content(List<string> lines)
    {
        var content = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"BT\n/F1 9 Tf\n{LineHeight} TL\n50 {Top} Td\n"));
        foreach (var line in lines)
        {
            content.Append('(').Append(Escape(line)).Append(") Tj T*\n");
        }

        return content.Append("ET").ToString();
    }

    private static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            _ = c switch
            {
                '\\' or '(' or ')' => escaped.Append('\\').Append(c),
                < ' ' => escaped.Append(' '),
                > 'ÿ' => escaped.Append('?'),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }
}
