using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace StreamFlow.IntegrationTests.Rfps;

/// <summary>
/// A federal solicitation as agencies write them (a cover page with the form's facts, a performance work statement,
/// Section M), written out as a real PDF (PdfPig's writer) or Word document (Open XML SDK). bench/rfps links this file.
/// </summary>
internal static class SolicitationDocuments
{
    public static readonly string[] CoverPage =
    [
        "SOLICITATION/CONTRACT/ORDER FOR COMMERCIAL PRODUCTS AND COMMERCIAL SERVICES",
        "Solicitation Number: W912DQ-27-R-0042",
        "Title: HVAC Preventive Maintenance and Repair Services, Federal Building 12",
        "Issuing Agency: U.S. Army Corps of Engineers, Kansas City District",
        "NAICS Code: 238220 (Plumbing, Heating, and Air-Conditioning Contractors); alternate NAICS 561210",
        "Set-Aside: Total Small Business",
        "Offers are due by 2:00 PM EST on March 15, 2027.",
        "Questions regarding this solicitation must be submitted by email no later than",
        "March 1, 2027 at 12:00 PM EST.",
        "Place of Performance: Federal Building 12, 601 E 12th St",
        "Kansas City, MO 64106",
        "The estimated value of this requirement is $1,250,000 over the base year and four option years.",
    ];

    public static readonly string[] WorkStatement =
    [
        "SECTION C - PERFORMANCE WORK STATEMENT",
        "C.1 The contractor shall provide all labor, materials and equipment for the preventive",
        "maintenance of the HVAC systems in Federal Building 12.",
        "C.2 The contractor shall respond to emergency service calls within four (4) hours.",
        "C.3 All technicians must hold EPA Section 608 Universal certification.",
        "C.4 Work is performed Monday through Friday between 7:00 AM and 5:00 PM.",
    ];

    public static readonly string[] EvaluationSection =
    [
        "SECTION M - EVALUATION FACTORS FOR AWARD",
        "Award will be made on a best value trade-off basis.",
        "Factor 1: Technical Approach (40 points)",
        "Factor 2: Past Performance (30 points)",
        "Factor 3: Price (30 points)",
    ];

    public static IReadOnlyList<string[]> Pages => [CoverPage, WorkStatement, EvaluationSection];

    /// <summary>A PDF with one page per entry; each line written where a typesetter would put it.</summary>
    public static byte[] Pdf(IEnumerable<string[]> pages)
    {
        using var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        foreach (var lines in pages)
        {
            var page = builder.AddPage(UglyToad.PdfPig.Content.PageSize.Letter);
            var y = 740.0;
            foreach (var line in lines)
            {
                page.AddText(line, 10, new PdfPoint(50, y), font);
                y -= 14;
            }
        }

        return builder.Build();
    }

    /// <summary>A 50-page (or <paramref name="pages"/>-page) solicitation: the three real pages, then work-statement pages.</summary>
    public static byte[] LongPdf(int pages) =>
        Pdf(Pages.Concat(Enumerable.Range(4, Math.Max(0, pages - 3)).Select(FillerPage)));

    /// <summary>A Word document: the cover facts in a two-column table (label cell, value cell), the rest as paragraphs.</summary>
    public static byte[] Docx()
    {
        using var stream = new MemoryStream();
        using (var word = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = word.AddMainDocumentPart();
            var body = new Body();
            body.Append(Paragraph(CoverPage[0]));
            var table = new Table();
            foreach (var line in CoverPage.Skip(1).Take(5))
            {
                var (label, value) = (line[..(line.IndexOf(':', StringComparison.Ordinal) + 1)], line[(line.IndexOf(':', StringComparison.Ordinal) + 2)..]);
                table.Append(new TableRow(new TableCell(Paragraph(label)), new TableCell(Paragraph(value))));
            }

            body.Append(table);
            foreach (var line in CoverPage.Skip(6).Concat(WorkStatement).Concat(EvaluationSection))
            {
                body.Append(Paragraph(line));
            }

            main.Document = new Document(body);
            main.Document.Save();
        }

        return stream.ToArray();
    }

    private static Paragraph Paragraph(string text) => new(new Run(new Text(text) { Space = SpaceProcessingModeValues.Preserve }));

    private static string[] FillerPage(int number) =>
    [
        $"C.{number} MAINTENANCE TASKS, AREA {number}",
        .. Enumerable.Range(1, 20).Select(task => task % 4 == 0
            ? $"C.{number}.{task} Filters in air handling unit AHU-{number}-{task} are replaced every 90 days and recorded."
            : $"C.{number}.{task} The contractor shall inspect chiller CH-{number}-{task} monthly and report faults within 24 hours."),
        $"Page {number} of the performance work statement.",
    ];
}
