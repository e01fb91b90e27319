namespace StreamFlow.Core.Backups;

/// <summary>
/// What a backup holds, stored next to it as <c>{id}/manifest.json</c>. A backup exists once its manifest does: the
/// manifest is written last. Checksums are lowercase hex SHA-256.
/// </summary>
public sealed record BackupManifest(
    int FormatVersion,
    string BackupId,
    string KeyId,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    string Database,
    string ServerVersion,
    string? SchemaVersion,
    IReadOnlyList<string> Migrations,
    string CopyFormat,
    string Compression,
    int ChunkSizeBytes,
    string DataBlob,
    long PlaintextBytes,
    string PlaintextSha256,
    long CiphertextBytes,
    string CiphertextSha256,
    IReadOnlyList<BackupTableManifest> Tables,
    IReadOnlyList<BackupSequenceState> Sequences)
{
    public const int CurrentFormatVersion = 1;

    public long TotalRows => Tables.Sum(t => t.RowCount);
}

/// <summary>One table: its row count and the SHA-256 of its COPY (binary) payload.</summary>
public sealed record BackupTableManifest(string Name, long RowCount, long PayloadBytes, string Sha256);

/// <summary>A sequence's position when the snapshot ended (sequences are not transactional: read last, never too low).</summary>
public sealed record BackupSequenceState(string Name, long LastValue, bool IsCalled);

/// <summary>A column as the snapshot saw it; restore checks the target has the same ones.</summary>
public sealed record BackupColumn(string Name, string Type);

/// <summary>The definition of a table in the container, written before its payload.</summary>
public sealed record BackupTableDefinition(string Schema, string Name, IReadOnlyList<BackupColumn> Columns);

/// <summary>The container's own header: enough to restore without the manifest.</summary>
public sealed record BackupContainerHeader(
    string BackupId,
    DateTimeOffset StartedAt,
    string Database,
    string ServerVersion,
    string? SchemaVersion,
    IReadOnlyList<string> Migrations,
    string CopyFormat);
