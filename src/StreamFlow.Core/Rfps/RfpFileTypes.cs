using System.IO.Compression;
using System.Text;

namespace StreamFlow.Core.Rfps;

/// <summary>The document types an RFP may be uploaded as, and the check that the bytes are what the type says.</summary>
public static class RfpMediaTypes
{
    public const string Pdf = "application/pdf";
    public const string Docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    public const string Text = "text/plain";

    public static IReadOnlyList<string> All { get; } = [Pdf, Docx, Text];

    /// <summary>The supported media type of a Content-Type value (parameters ignored), or null.</summary>
    public static string? Normalize(string? contentType)
    {
        var mediaType = (contentType ?? "").Split(';')[0].Trim();
        return All.FirstOrDefault(type => type.Equals(mediaType, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The media type a file name implies, for multipart parts sent as application/octet-stream.</summary>
    public static string? FromFileName(string? fileName) => Path.GetExtension(fileName ?? "").ToUpperInvariant() switch
    {
        ".PDF" => Pdf,
        ".DOCX" => Docx,
        ".TXT" => Text,
        _ => null,
    };

    /// <summary>True when <paramref name="content"/> starts (or, for text, decodes) as <paramref name="mediaType"/> requires.</summary>
    internal static bool ContentMatches(string mediaType, byte[] content) => mediaType switch
    {
        Pdf => IsPdf(content),
        Docx => IsWordDocument(content),
        Text => IsText(content),
        _ => false,
    };

    // The PDF header may follow a little junk (the specification tolerates it within the first 1024 bytes).
    private static bool IsPdf(byte[] content) =>
        content.AsSpan(0, Math.Min(content.Length, 1024)).IndexOf("%PDF-"u8) >= 0;

    // A .docx is a ZIP package with a main document part; an .xlsx or a plain ZIP is not one.
    private static bool IsWordDocument(byte[] content)
    {
        if (!content.AsSpan().StartsWith("PK\u0003\u0004"u8))
        {
            return false;
        }

        try
        {
            using var zip = new ZipArchive(new MemoryStream(content, writable: false), ZipArchiveMode.Read);
            return zip.GetEntry("word/document.xml") is not null;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    private static bool IsText(byte[] content)
    {
        if (content.AsSpan().IndexOf((byte)0) >= 0)
        {
            return false;
        }

        try
        {
            _ = StrictUtf8.GetCharCount(content);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
