using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace StreamFlow.Core.Billing.Cycle;

/// <summary>
/// The HTML documents of finalized invoices, in Blob storage at <c>invoices/{tenantId}/{invoiceId}.html</c>: the
/// document that was emailed, kept as issued. The client invoice view serves it with <see cref="OpenAsync"/>.
/// </summary>
public sealed class InvoiceDocuments(BlobServiceClient blobs)
{
    public const string ContainerName = Storage.BlobContainerNames.Invoices;

    private int _containerReady;

    public static string PathOf(Guid tenantId, Guid invoiceId) => $"{tenantId}/{invoiceId}.html";

    /// <summary>Stores (or overwrites with the same content) an invoice's document; returns its path in the container.</summary>
    public async Task<string> StoreAsync(Guid tenantId, Guid invoiceId, string html, CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(ContainerName);
        if (Volatile.Read(ref _containerReady) == 0)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            Volatile.Write(ref _containerReady, 1);
        }

        var path = PathOf(tenantId, invoiceId);
        await container.GetBlobClient(path).UploadAsync(
            BinaryData.FromString(html),
            new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "text/html; charset=utf-8" } },
            cancellationToken);
        return path;
    }

    /// <summary>The stored document at <paramref name="path"/> (the invoice's document_blob), or null when it is not there.</summary>
    public async Task<string?> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var blob = blobs.GetBlobContainerClient(ContainerName).GetBlobClient(path);
        try
        {
            return (await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToString();
        }
        catch (Azure.RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
    }
}
