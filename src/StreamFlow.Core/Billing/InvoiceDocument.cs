namespace StreamFlow.Core.Billing;

/// <summary>The formats an invoice downloads as: the emailed HTML document, a PDF made from the record, the lines as CSV.</summary>
public enum InvoiceDocumentFormat
{
    Html,
    Pdf,
    Csv,
}

/// <summary>A downloadable invoice file: its bytes, media type and the file name (the invoice number) to save it under.</summary>
public sealed record InvoiceDocument(string FileName, string ContentType, byte[] Content);

public static class InvoiceDocumentFormats
{
    public static bool TryParse(string? text, out InvoiceDocumentFormat format)
    {
        switch (text?.ToLowerInvariant())
        {
            case null or "" or "html":
                format = InvoiceDocumentFormat.Html;
                return true;
            case "pdf":
                format = InvoiceDocumentFormat.Pdf;
                return true;
            case "csv":
                format = InvoiceDocumentFormat.Csv;
                return true;
            default:
                format = default;
                return false;
        }
    }
}
