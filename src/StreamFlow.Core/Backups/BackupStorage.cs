using System.Text.Json;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Json;

namespace StreamFlow.Core.Backups;

/// <summary>
/// Backups in Blob storage: <c>{id}/data.sfbk</c> (the encrypted container) and <c>{id}/manifest.json</c>, written
/// last, so a backup without a manifest is an upload that never finished.
/// </summary>
public sealed class BackupStorage(BlobServiceClient blobs, IOptions<BackupOptions> options, ILogger<BackupStorage> logger)
{
    private const string DataBlobName = "data.sfbk";
    private const string ManifestBlobName = "manifest.json";

    private BlobContainerClient Container => blobs.GetBlobContainerClient(options.Value.Container);

    /// <summary>Every complete backup with its manifest, newest first.</summary>
    public async Task<IReadOnlyList<BackupManifest>> ListAsync(CancellationToken cancellationToken)
    {
        var manifests = new List<BackupManifest>();
        foreach (var id in await ListIdsAsync(ManifestBlobName, cancellationToken))
        {
            var manifest = await GetAsync(id, cancellationToken);
            if (manifest is not null)
            {
                manifests.Add(manifest);
            }
        }

        return manifests.OrderByDescending(m => m.StartedAt).ThenByDescending(m => m.BackupId, StringComparer.Ordinal).ToList();
    }

    /// <summary>The manifest of one backup, or null when there is no such (complete) backup.</summary>
    public async Task<BackupManifest?> GetAsync(string backupId, CancellationToken cancellationToken)
    {
        if (!BackupId.IsValid(backupId))
        {
            return null;
        }

        try
        {
            var content = await Container.GetBlobClient(ManifestName(backupId)).DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToObjectFromJson<BackupManifest>(StreamFlowJson.Options);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
        catch (JsonException exception)
        {
            logger.LogWarning(exception, "The manifest of backup {BackupId} is not readable; the backup is left out", backupId);
            return null;
        }
    }

    internal static string DataName(string backupId) => $"{backupId}/{DataBlobName}";

    internal static string ManifestName(string backupId) => $"{backupId}/{ManifestBlobName}";

    internal async Task EnsureContainerAsync(CancellationToken cancellationToken) =>
        await Container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);

    /// <summary>Uploads the encrypted container from <paramref name="content"/> (read to its end) in parallel staged blocks.</summary>
    internal async Task UploadDataAsync(string backupId, Stream content, string keyId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var blockSize = Math.Max(1024 * 1024, settings.UploadBlockSizeBytes);
        await Container.GetBlobClient(DataName(backupId)).UploadAsync(content, new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/octet-stream" },
            Metadata = new Dictionary<string, string> { ["backupid"] = backupId, ["keyid"] = keyId },
            TransferOptions = new StorageTransferOptions
            {
                InitialTransferSize = blockSize,
                MaximumTransferSize = blockSize,
                MaximumConcurrency = Math.Max(1, settings.UploadConcurrency),
            },
        }, cancellationToken);
    }

    /// <summary>Writes the manifest; from then on the backup exists.</summary>
    internal async Task WriteManifestAsync(BackupManifest manifest, CancellationToken cancellationToken)
    {
        var json = BinaryData.FromObjectAsJson(manifest, StreamFlowJson.Options);
        await Container.GetBlobClient(ManifestName(manifest.BackupId)).UploadAsync(json, new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
        }, cancellationToken);
    }

    /// <summary>Downloads the data blob into <paramref name="destination"/> with parallel ranged reads, in order.</summary>
    internal async Task DownloadDataAsync(string backupId, Stream destination, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var blockSize = Math.Max(1024 * 1024, settings.UploadBlockSizeBytes);
        await Container.GetBlobClient(DataName(backupId)).DownloadToAsync(destination, new BlobDownloadToOptions
        {
            TransferOptions = new StorageTransferOptions
            {
                InitialTransferSize = blockSize,
                MaximumTransferSize = blockSize,
                MaximumConcurrency = Math.Max(1, settings.UploadConcurrency),
            },
        }, cancellationToken);
    }

    /// <summary>The first bytes of the data blob: enough to check the encryption header (and the key) before any work.</summary>
    internal async Task<byte[]> ReadDataHeadAsync(string backupId, int length, CancellationToken cancellationToken)
    {
        var download = await Container.GetBlobClient(DataName(backupId)).DownloadContentAsync(
            new BlobDownloadOptions { Range = new HttpRange(0, length) }, cancellationToken);
        return download.Value.Content.ToArray();
    }

    /// <summary>Deletes a backup: the manifest first, so it leaves the list before its data goes.</summary>
    internal async Task DeleteAsync(string backupId, CancellationToken cancellationToken)
    {
        await Container.GetBlobClient(ManifestName(backupId)).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
        await Container.GetBlobClient(DataName(backupId)).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
    }

    /// <summary>Data blobs that have no manifest, with their last change (uploads that never finished, or half-deleted backups).</summary>
    internal async Task<IReadOnlyList<(string BackupId, DateTimeOffset LastModified)>> ListWithoutManifestAsync(CancellationToken cancellationToken)
    {
        var withManifest = (await ListIdsAsync(ManifestBlobName, cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var orphans = new List<(string, DateTimeOffset)>();
        try
        {
            await foreach (var blob in Container.GetBlobsAsync(new GetBlobsOptions(), cancellationToken))
            {
                var id = IdOf(blob.Name, DataBlobName);
                if (id is not null && !withManifest.Contains(id))
                {
                    orphans.Add((id, blob.Properties.LastModified ?? DateTimeOffset.MinValue));
                }
            }
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            // No container yet.
        }

        return orphans;
    }

    private async Task<List<string>> ListIdsAsync(string fileName, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        try
        {
            await foreach (var blob in Container.GetBlobsAsync(new GetBlobsOptions(), cancellationToken))
            {
                if (IdOf(blob.Name, fileName) is { } id)
                {
                    ids.Add(id);
                }
            }
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            // No container yet: no backup has been taken.
        }

        return ids;
    }

    private static string? IdOf(string blobName, string fileName)
    {
        var slash = blobName.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !string.Equals(blobName[(slash + 1)..], fileName, StringComparison.Ordinal))
        {
            return null;
        }

        var id = blobName[..slash];
        return BackupId.IsValid(id) ? id : null;
    }
}
