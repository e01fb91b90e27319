using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using StreamFlow.Core.Database;
using StreamFlow.Core.Json;
using StreamFlow.Core.Storage;

namespace StreamFlow.Core.Audit;

public sealed record PublishedChainHead(long Sequence, string Hash, DateTimeOffset PublishedAt);

/// <summary>
/// Copies the chain head to Blob storage, outside the database's reach, so that cutting entries off the end of the
/// log (and rewinding the head row with them) is detected.
/// </summary>
public sealed class AuditChainHeadPublisher(StreamFlowDatabase database, BlobServiceClient blobs, TimeProvider timeProvider, IConfiguration configuration)
{
    private readonly string _latestBlob = configuration["Audit:ChainHeadBlob"] ?? "audit/chain-head.json";

    public async Task<PublishedChainHead> PublishAsync(CancellationToken cancellationToken)
    {
        var head = await database.InPlatformAsync(AuditStore.HeadAsync, cancellationToken);
        var published = new PublishedChainHead(head.LastSequence, Convert.ToHexStringLower(head.LastHash), timeProvider.GetUtcNow());
        var container = blobs.GetBlobContainerClient(BlobContainerNames.Platform);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var content = BinaryData.FromObjectAsJson(published, StreamFlowJson.Options);
        await container.GetBlobClient($"{_latestBlob}.history/{published.Sequence:D12}.json").UploadAsync(content, overwrite: true, cancellationToken);
        await container.GetBlobClient(_latestBlob).UploadAsync(content, overwrite: true, cancellationToken);
        return published;
    }

    public async Task<PublishedChainHead?> ReadLatestAsync(CancellationToken cancellationToken)
    {
        try
        {
            var content = await blobs.GetBlobContainerClient(BlobContainerNames.Platform).GetBlobClient(_latestBlob).DownloadContentAsync(cancellationToken);
            return JsonSerializer.Deserialize<PublishedChainHead>(content.Value.Content.ToMemory().Span, StreamFlowJson.Options);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
    }
}
