using System.Text;
using StreamFlow.Core.Rfps;

namespace StreamFlow.UnitTests.Rfps;

public sealed class RfpMediaTypesTests
{
    [Fact]
    public void A_pdf_header_matches_the_pdf_type()
    {
        Assert.True(RfpMediaTypes.ContentMatches(RfpMediaTypes.Pdf, Encoding.ASCII.GetBytes("%PDF-1.7\n%...")));
    }

    [Fact]
    public void Text_claiming_to_be_a_pdf_does_not_match()
    {
        Assert.False(RfpMediaTypes.ContentMatches(RfpMediaTypes.Pdf, Encoding.ASCII.GetBytes("Solicitation Number: 123")));
    }

    [Fact]
    public void A_zip_without_a_word_document_is_not_a_docx()
    {
        using var stream = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            zip.CreateEntry("xl/workbook.xml");
        }

        Assert.False(RfpMediaTypes.ContentMatches(RfpMediaTypes.Docx, stream.ToArray()));
    }

    [Fact]
    public void Binary_content_is_not_text()
    {
        Assert.False(RfpMediaTypes.ContentMatches(RfpMediaTypes.Text, [0x25, 0x50, 0x00, 0xFF, 0xFE]));
    }

    [Theory]
    [InlineData("application/pdf", RfpMediaTypes.Pdf)]
    [InlineData("text/plain; charset=utf-8", RfpMediaTypes.Text)]
    [InlineData("image/png", null)]
    public void Content_types_are_normalized_or_refused(string contentType, string? expected)
    {
        Assert.Equal(expected, RfpMediaTypes.Normalize(contentType));
    }
}
