using Azure.Storage.Blobs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace StreamFlow.Core.Storage;

/// <summary>Creates the blob containers once at start-up; a storage outage is logged, not fatal (health reports it).</summary>
internal sealed class BlobContainerInitializer(BlobServiceClient blobs, ILogger<BlobContainerInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (var name in BlobContainerNames.All)
            {
                await blobs.GetBlobContainerClient(name).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "Could not create the blob containers at start-up");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
