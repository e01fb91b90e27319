using System.IO.Compression;

namespace StreamFlow.Core.Backups;

/// <summary>Settings of the <c>Backups</c> section.</summary>
public sealed class BackupOptions
{
    public const string Section = "Backups";

    /// <summary>The key id under which <see cref="EncryptionKey"/> is known in the key ring.</summary>
    public const string DefaultKeyId = "default";

    /// <summary>Base64 of 32 random bytes: the key with id <see cref="DefaultKeyId"/> (the one the scripts generate).</summary>
    public string? EncryptionKey { get; set; }

    /// <summary>More keys by id (base64 of 32 bytes each). Old keys stay here after a rotation so old backups stay readable.</summary>
    public Dictionary<string, string> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The key new backups are encrypted with.</summary>
    public string CurrentKeyId { get; set; } = DefaultKeyId;

    /// <summary>The blob container that holds backups and their manifests.</summary>
    public string Container { get; set; } = Storage.BlobContainerNames.Backups;

    /// <summary>Plaintext bytes per AES-GCM chunk.</summary>
    public int ChunkSizeBytes { get; set; } = 1024 * 1024;

    /// <summary>Deflate level applied before encryption; <c>NoCompression</c> turns it off.</summary>
    public CompressionLevel Compression { get; set; } = CompressionLevel.Fastest;

    /// <summary>Size of each staged block when uploading, and how many are in flight at once.</summary>
    public int UploadBlockSizeBytes { get; set; } = 8 * 1024 * 1024;

    public int UploadConcurrency { get; set; } = 4;

    /// <summary>Data blobs without a manifest older than this are abandoned uploads and are deleted by retention.</summary>
    public TimeSpan AbandonedUploadAge { get; set; } = TimeSpan.FromDays(2);

    public BackupRetentionOptions Retention { get; set; } = new();
}

/// <summary>How many daily, weekly (ISO weeks) and monthly backups retention keeps, counted in UTC.</summary>
public sealed class BackupRetentionOptions
{
    public int Daily { get; set; } = 7;

    public int Weekly { get; set; } = 4;

    public int Monthly { get; set; } = 12;
}
