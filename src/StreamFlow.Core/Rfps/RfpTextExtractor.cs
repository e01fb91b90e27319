using System.Text;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace StreamFlow.Core.Rfps;

/// <summary>
/// Text in reading order from a PDF (one segment per page: PdfPig's content-order extractor, which keeps line breaks),
/// a Word document (one segment per non-empty paragraph, table cells included, numbered over all paragraphs of the
/// body) or a UTF-8 text file (paragraphs separated by blank lines, line endings as \n). Public for bench/rfps.
/// </summary>
public static class RfpTextExtractor
{
    public static RfpDocumentText Extract(string mediaType, byte[] content) => mediaType switch
    {
        RfpMediaTypes.Pdf => FromPdf(content),
        RfpMediaTypes.Docx => FromWord(content),
        RfpMediaTypes.Text => FromText(RfpMediaTypes.StrictUtf8.GetString(content).TrimStart('\uFEFF')),
        _ => throw new ArgumentOutOfRangeException(nameof(mediaType), mediaType, "Not a supported RFP document type."),
    };

    public static RfpDocumentText FromPdf(byte[] content)
    {
        using var pdf = PdfDocument.Open(content);
        var pages = new List<RfpSegment>(pdf.NumberOfPages);
        foreach (var page in pdf.GetPages())
        {
            pages.Add(new RfpSegment(page.Number, ContentOrderTextExtractor.GetText(page).Replace("\r\n", "\n", StringComparison.Ordinal)));
        }

        return new RfpDocumentText(RfpSegmentUnit.Page, pages);
    }

    public static RfpDocumentText FromWord(byte[] content)
    {
        using var stream = new MemoryStream(content, writable: false);
        using var word = WordprocessingDocument.Open(stream, isEditable: false);
        var body = word.MainDocumentPart?.Document?.Body;
        var paragraphs = new List<RfpSegment>();
        if (body is null)
        {
            return new RfpDocumentText(RfpSegmentUnit.Paragraph, paragraphs);
        }

        var number = 0;
        foreach (var paragraph in body.Descendants<Paragraph>())
        {
            number++;
            var text = new StringBuilder();
            foreach (var element in paragraph.Descendants())
            {
                switch (element)
                {
                    case Text run:
                        text.Append(run.Text);
                        break;
                    case TabChar:
                        text.Append('\t');
                        break;
                    case Break or CarriageReturn:
                        text.Append('\n');
                        break;
                }
            }

            if (!string.IsNullOrWhiteSpace(text.ToString()))
            {
                paragraphs.Add(new RfpSegment(number, text.ToString()));
            }
        }

        return new RfpDocumentText(RfpSegmentUnit.Paragraph, paragraphs);
    }

    public static RfpDocumentText FromText(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        var paragraphs = new List<RfpSegment>();
        var current = new StringBuilder();
        foreach (var line in lines)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                Flush();
                continue;
            }

            if (current.Length > 0)
            {
                current.Append('\n');
            }

            current.Append(line);
        }

        Flush();
        return new RfpDocumentText(RfpSegmentUnit.Paragraph, paragraphs);

        void Flush()
        {
            if (current.Length > 0)
            {
                paragraphs.Add(new RfpSegment(paragraphs.Count + 1, current.ToString()));
                current.Clear();
            }
        }
    }
}
