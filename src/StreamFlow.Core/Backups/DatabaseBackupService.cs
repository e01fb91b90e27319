using System.IO.Compression;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StreamFlow.Core.Backups;

/// <summary>
/// Takes a backup: snapshot → container → deflate → AES-256-GCM chunks → Blob storage, all streamed (memory stays
/// at a few chunks and upload blocks whatever the database size), then the manifest.
/// </summary>
public sealed class DatabaseBackupService(
    DatabaseSnapshotter snapshotter,
    BackupStorage storage,
    BackupKeyRing keys,
    IOptions<BackupOptions> options,
    TimeProvider time,
    ILogger<DatabaseBackupService> logger)
{
    private const long PipeHighWater = 32L * 1024 * 1024;

    /// <summary>
    /// Takes backup <paramref name="backupId"/>. Idempotent: taking the same id again replaces the blobs it wrote; the
    /// manifest is written last, so a failed attempt never leaves a backup that looks complete.
    /// </summary>
    public async Task<BackupManifest> TakeAsync(string backupId, CancellationToken cancellationToken)
    {
        BackupId.Validate(backupId);
        var settings = options.Value;
        var startedAt = time.GetUtcNow();
        await storage.EnsureContainerAsync(cancellationToken);

        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: PipeHighWater, resumeWriterThreshold: PipeHighWater / 2, useSynchronizationContext: false));
        using var uploadFailed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var upload = UploadAsync(pipe.Reader, backupId, uploadFailed);

        Produced produced;
        try
        {
            produced = await ProduceAsync(pipe.Writer, backupId, startedAt, settings, uploadFailed.Token);
            await pipe.Writer.CompleteAsync();
        }
        catch (Exception produceError)
        {
            await pipe.Writer.CompleteAsync(produceError);
            Exception? uploadError = null;
            try
            {
                await upload;
            }
            catch (Exception exception)
            {
                uploadError = exception;
            }

            // When the upload broke first, the snapshot was only cancelled by it: the upload's failure is the cause.
            if (uploadError is not null && produceError is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new IOException($"Uploading backup {backupId} failed: {uploadError.Message}", uploadError);
            }

            throw;
        }

        await upload;
        var snapshot = produced.Snapshot;
        var manifest = new BackupManifest(
            BackupManifest.CurrentFormatVersion,
            backupId,
            keys.CurrentKeyId,
            startedAt,
            time.GetUtcNow(),
            snapshot.Header.Database,
            snapshot.Header.ServerVersion,
            snapshot.Header.SchemaVersion,
            snapshot.Header.Migrations,
            snapshot.Header.CopyFormat,
            CompressionName(settings.Compression),
            settings.ChunkSizeBytes,
            BackupStorage.DataName(backupId),
            produced.PlaintextBytes,
            produced.PlaintextSha256,
            produced.CiphertextBytes,
            produced.CiphertextSha256,
            snapshot.Tables,
            snapshot.Sequences);
        await storage.WriteManifestAsync(manifest, cancellationToken);
        logger.LogInformation(
            "Backup {BackupId} taken: {Tables} tables, {Rows} rows, {PlaintextBytes} bytes ({CiphertextBytes} encrypted) with key {KeyId} in {Seconds:0.0} s",
            backupId, manifest.Tables.Count, manifest.TotalRows, manifest.PlaintextBytes, manifest.CiphertextBytes, manifest.KeyId,
            (manifest.FinishedAt - manifest.StartedAt).TotalSeconds);
        return manifest;
    }

    internal static string CompressionName(CompressionLevel level) => level == CompressionLevel.NoCompression ? "none" : "deflate";

    private async Task<Produced> ProduceAsync(
        PipeWriter destination, string backupId, DateTimeOffset startedAt, BackupOptions settings, CancellationToken cancellationToken)
    {
        using var ciphertext = new HashingStream(destination.AsStream(leaveOpen: true));
        await using var encryptor = new BackupEncryptingStream(ciphertext, keys, backupId, settings.ChunkSizeBytes, leaveOpen: true);
        await using var compressor = settings.Compression == CompressionLevel.NoCompression
            ? null
            : new DeflateStream(encryptor, settings.Compression, leaveOpen: true);
        using var plaintext = new HashingStream((Stream?)compressor ?? encryptor);

        // Flushed, not disposed: disposing would dispose the hashing stream under it before its digest is read.
        var buffered = new BufferedStream(plaintext, 256 * 1024);
        var snapshot = await snapshotter.WriteAsync(new BackupContainerWriter(buffered), backupId, startedAt, null, cancellationToken);
        await buffered.FlushAsync(cancellationToken);
        if (compressor is not null)
        {
            // Writes deflate's final block into the encryptor before the final chunk is sealed.
            await compressor.DisposeAsync();
        }

        await encryptor.CompleteAsync(cancellationToken);
        await ciphertext.FlushAsync(cancellationToken);
        return new Produced(snapshot, plaintext.BytesSeen, plaintext.FinishSha256(), ciphertext.BytesSeen, ciphertext.FinishSha256());
    }

    private async Task UploadAsync(PipeReader source, string backupId, CancellationTokenSource onFailure)
    {
        try
        {
            await using var content = source.AsStream();
            await storage.UploadDataAsync(backupId, content, keys.CurrentKeyId, onFailure.Token);
        }
        catch
        {
            await onFailure.CancelAsync();
            throw;
        }
    }

    private sealed record Produced(SnapshotResult Snapshot, long PlaintextBytes, string PlaintextSha256, long CiphertextBytes, string CiphertextSha256);
}
