using Azure;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Billing;

/// <summary>
/// A client business's own invoices: the list, one invoice with its lines, and its downloads. Everything runs in the
/// client's RLS transaction, so another client's invoice is simply not found; drafts are never shown to clients.
/// </summary>
public sealed class ClientInvoiceService(StreamFlowDatabase database, BlobServiceClient blobs, IOptions<BillingOptions> options, Branding.BrandResolver brands)
{
    /// <summary>The blob container of the HTML documents emailed at finalization (path <c>{tenantId}/{invoiceId}.html</c>).</summary>
    public const string DocumentContainer = Cycle.InvoiceDocuments.ContainerName;

    private static readonly string[] ClientStatuses =
        [InvoiceStatus.Open, InvoiceStatus.Paid, InvoiceStatus.PaymentFailed, InvoiceStatus.Uncollectible, InvoiceStatus.Void];

    /// <summary>The client's finalized invoices, newest period first, optionally of one status.</summary>
    public async Task<Result<InvoicePage>> ListAsync(Guid tenantId, string? status, int limit, string? cursor, CancellationToken cancellationToken)
    {
        if (status is not null && !ClientStatuses.Contains(status, StringComparer.Ordinal))
        {
            return Problem.Validation("status", $"must be one of {string.Join(", ", ClientStatuses)}.");
        }

        var after = InvoiceCursor.Decode(cursor);
        if (!after.Succeeded)
        {
            return after.Problem;
        }

        var rows = await database.InTenantAsync(tenantId,
            scope => InvoiceStore.ListAsync(scope, status, after.Value, limit + 1, includeDrafts: false), cancellationToken);
        var items = rows.Take(limit).ToList();
        return new InvoicePage(items, rows.Count > limit ? InvoiceCursor.Encode(items[^1].PeriodStart, items[^1].Id) : null);
    }

    /// <summary>One finalized invoice of the client, with its lines.</summary>
    public async Task<Result<Invoice>> GetAsync(Guid tenantId, Guid invoiceId, CancellationToken cancellationToken)
    {
        var invoice = await database.InTenantAsync(tenantId, scope => InvoiceStore.GetAsync(scope, invoiceId), cancellationToken);
        return Visible(invoice) is { } found ? found : Problem.NotFound("Invoice");
    }

    /// <summary>
    /// The invoice as a file: HTML is the stored document exactly as it was emailed; PDF is made from the invoice
    /// record; CSV is its lines. The file is named after the invoice number.
    /// </summary>
    public async Task<Result<InvoiceDocument>> GetDocumentAsync(Guid tenantId, Guid invoiceId, InvoiceDocumentFormat format, CancellationToken cancellationToken)
    {
        var (invoice, clientName, blobName) = await database.InTenantAsync<(Invoice?, string, string?)>(tenantId, async scope =>
        {
            var found = Visible(await InvoiceStore.GetAsync(scope, invoiceId));
            if (found is null)
            {
                return (null, "", null);
            }

            var name = await InvoiceStore.TenantNameAsync(scope, tenantId);
            return (found, name, format == InvoiceDocumentFormat.Html ? await InvoiceStore.DocumentBlobAsync(scope, invoiceId) : null);
        }, cancellationToken);
        if (invoice is null)
        {
            return Problem.NotFound("Invoice");
        }

        var fileName = invoice.Number ?? invoice.Id.ToString();
        return format switch
        {
            InvoiceDocumentFormat.Pdf => await PdfAsync(invoice, clientName, $"{fileName}.pdf", cancellationToken),
            InvoiceDocumentFormat.Csv => new InvoiceDocument($"{fileName}.csv", "text/csv; charset=utf-8", InvoiceCsv.Lines(invoice)),
            _ => await HtmlAsync(tenantId, blobName, $"{fileName}.html", cancellationToken),
        };
    }

    // The provider's invoice in the provider's brand: its colours and logo, under its chosen name.
    private async Task<Result<InvoiceDocument>> PdfAsync(Invoice invoice, string clientName, string fileName, CancellationToken cancellationToken)
    {
        var brand = await brands.ResolveAsync(null, cancellationToken);
        return new InvoiceDocument(fileName, "application/pdf", InvoicePdf.Render(invoice, clientName, brand.ChosenName ?? options.Value.ProviderName, brand));
    }

    private async Task<Result<InvoiceDocument>> HtmlAsync(Guid tenantId, string? blobName, string fileName, CancellationToken cancellationToken)
    {
        // The path is the client's own folder, or the document is not the client's to read.
        if (blobName is null || !blobName.StartsWith($"{tenantId}/", StringComparison.Ordinal))
        {
            return Problem.NotFound("The invoice's HTML document");
        }

        try
        {
            var content = await blobs.GetBlobContainerClient(DocumentContainer).GetBlobClient(blobName).DownloadContentAsync(cancellationToken);
            return new InvoiceDocument(fileName, "text/html; charset=utf-8", content.Value.Content.ToArray());
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return Problem.NotFound("The invoice's HTML document");
        }
    }

    private static Invoice? Visible(Invoice? invoice) => invoice is { Status: not InvoiceStatus.Draft } ? invoice : null;
}
