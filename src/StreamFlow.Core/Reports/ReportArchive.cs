using System.Globalization;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using StreamFlow.Core.Json;
using StreamFlow.Core.Storage;

namespace StreamFlow.Core.Reports;

/// <summary>
/// Keeps every report that was sent in the <c>reports</c> container: the HTML, the CSV and the numbers as JSON, under
/// <c>{tenantId}/{kind}/{periodStart}/{reportId}/</c>. Recipients of the same report share one archived copy.
/// </summary>
public sealed class ReportArchive(BlobServiceClient blobs)
{
    public async Task<string> StoreAsync(Guid reportId, ReportSummary summary, RenderedReport rendered, CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(BlobContainerNames.Reports);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var prefix = $"{summary.TenantId}/{ReportPeriod.Name(summary.Period.Kind)}/{summary.Period.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}/{reportId}/";
        await UploadAsync(container, prefix + "report.html", "text/html; charset=utf-8", System.Text.Encoding.UTF8.GetBytes(rendered.Html), cancellationToken);
        await UploadAsync(container, prefix + rendered.CsvFileName, "text/csv; charset=utf-8", rendered.Csv, cancellationToken);
        await UploadAsync(container, prefix + "summary.json", "application/json", JsonSerializer.SerializeToUtf8Bytes(summary, StreamFlowJson.Options), cancellationToken);
        return $"{BlobContainerNames.Reports}/{prefix}";
    }

    private static Task UploadAsync(BlobContainerClient container, string name, string contentType, byte[] content, CancellationToken cancellationToken) =>
        container.GetBlobClient(name).UploadAsync(new BinaryData(content), new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType } }, cancellationToken);
}
