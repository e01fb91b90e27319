using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using StreamFlow.Core.Json;

namespace StreamFlow.Core.Backups;

/// <summary>
/// The plaintext container of a backup (FORMAT.md): a header, then per table its definition, its COPY payload in
/// length-prefixed frames and a trailer with row count, payload size and SHA-256, then the sequences, then an end mark.
/// Big-endian integers throughout.
/// </summary>
internal static class BackupContainerFormat
{
    public static ReadOnlySpan<byte> Magic => "SFBKDATA"u8;

    public const ushort Version = 1;
    public const byte TableTag = (byte)'T';
    public const byte SequencesTag = (byte)'S';
    public const byte EndTag = (byte)'E';
    public const int MaxJsonBytes = 16 * 1024 * 1024;
    public const int MaxFrameBytes = 16 * 1024 * 1024;
    public const int TrailerBytes = 8 + 8 + 32;
    public const string CopyFormat = "binary";
}

/// <summary>What was written for one table: counted and hashed from the bytes themselves.</summary>
internal sealed record TablePayloadSummary(long RowCount, long PayloadBytes, string Sha256);

internal sealed class BackupContainerWriter(Stream output)
{
    private const int FrameBufferSize = 256 * 1024;

    private readonly byte[] _small = new byte[16];

    public async Task WriteHeaderAsync(BackupContainerHeader header, CancellationToken cancellationToken)
    {
        await output.WriteAsync(BackupContainerFormat.Magic.ToArray(), cancellationToken);
        BinaryPrimitives.WriteUInt16BigEndian(_small, BackupContainerFormat.Version);
        await output.WriteAsync(_small.AsMemory(0, 2), cancellationToken);
        await WriteJsonAsync(header, cancellationToken);
    }

    /// <summary>Writes a table's definition and copies its COPY payload from <paramref name="payload"/> to its end.</summary>
    public async Task<TablePayloadSummary> WriteTableAsync(BackupTableDefinition table, Stream payload, CancellationToken cancellationToken)
    {
        await WriteTagAsync(BackupContainerFormat.TableTag, cancellationToken);
        await WriteJsonAsync(table, cancellationToken);

        var counter = new CopyBinaryRowCounter();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(FrameBufferSize + 4);
        long bytes = 0;
        try
        {
            while (true)
            {
                var read = await ReadSomeAsync(payload, buffer.AsMemory(4, FrameBufferSize), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                var data = buffer.AsSpan(4, read);
                counter.Feed(data);
                hash.AppendData(data);
                bytes += read;
                BinaryPrimitives.WriteUInt32BigEndian(buffer, (uint)read);
                await output.WriteAsync(buffer.AsMemory(0, 4 + read), cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (!counter.Completed)
        {
            throw new InvalidDataException($"The COPY payload of {table.Name} ended before its trailer.");
        }

        var sha = hash.GetHashAndReset();
        var trailer = new byte[4 + BackupContainerFormat.TrailerBytes];
        BinaryPrimitives.WriteUInt32BigEndian(trailer, 0);
        BinaryPrimitives.WriteInt64BigEndian(trailer.AsSpan(4), counter.Rows);
        BinaryPrimitives.WriteInt64BigEndian(trailer.AsSpan(12), bytes);
        sha.CopyTo(trailer.AsSpan(20));
        await output.WriteAsync(trailer, cancellationToken);
        return new TablePayloadSummary(counter.Rows, bytes, Convert.ToHexStringLower(sha));
    }

    public async Task WriteSequencesAsync(IReadOnlyList<BackupSequenceState> sequences, CancellationToken cancellationToken)
    {
        await WriteTagAsync(BackupContainerFormat.SequencesTag, cancellationToken);
        await WriteJsonAsync(sequences, cancellationToken);
    }

    public async Task WriteEndAsync(int tableCount, CancellationToken cancellationToken)
    {
        _small[0] = BackupContainerFormat.EndTag;
        BinaryPrimitives.WriteInt32BigEndian(_small.AsSpan(1), tableCount);
        await output.WriteAsync(_small.AsMemory(0, 5), cancellationToken);
    }

    private async Task WriteTagAsync(byte tag, CancellationToken cancellationToken)
    {
        _small[0] = tag;
        await output.WriteAsync(_small.AsMemory(0, 1), cancellationToken);
    }

    private async Task WriteJsonAsync<T>(T value, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(value, StreamFlowJson.Options);
        BinaryPrimitives.WriteInt32BigEndian(_small, json.Length);
        await output.WriteAsync(_small.AsMemory(0, 4), cancellationToken);
        await output.WriteAsync(json, cancellationToken);
    }

    // Fills as much of the buffer as the source gives before its end, so that frames are large.
    private static async Task<int> ReadSomeAsync(Stream source, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await source.ReadAsync(buffer[total..], cancellationToken);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}

internal abstract record BackupContainerEntry;

internal sealed record TableEntry(BackupTableDefinition Table) : BackupContainerEntry;

internal sealed record SequencesEntry(IReadOnlyList<BackupSequenceState> Sequences) : BackupContainerEntry;

internal sealed record EndEntry(int TableCount) : BackupContainerEntry;

/// <summary>Reads a container in order; after a <see cref="TableEntry"/> the caller must read its payload.</summary>
internal sealed class BackupContainerReader(Stream input)
{
    private readonly byte[] _small = new byte[BackupContainerFormat.TrailerBytes];
    private bool _payloadPending;

    public async Task<BackupContainerHeader> ReadHeaderAsync(CancellationToken cancellationToken)
    {
        var start = new byte[BackupContainerFormat.Magic.Length + 2];
        await ReadExactlyAsync(start, "the container header", cancellationToken);
        if (!start.AsSpan(0, BackupContainerFormat.Magic.Length).SequenceEqual(BackupContainerFormat.Magic))
        {
            throw new BackupIntegrityException("The decrypted backup is not a StreamFlow backup container.");
        }

        var version = BinaryPrimitives.ReadUInt16BigEndian(start.AsSpan(BackupContainerFormat.Magic.Length));
        if (version != BackupContainerFormat.Version)
        {
            throw new BackupIntegrityException($"The backup container has format version {version}; this build reads version {BackupContainerFormat.Version}.");
        }

        return await ReadJsonAsync<BackupContainerHeader>("the container header", cancellationToken);
    }

    public async Task<BackupContainerEntry> ReadEntryAsync(CancellationToken cancellationToken)
    {
        if (_payloadPending)
        {
            throw new InvalidOperationException("Read the payload of the previous table first.");
        }

        await ReadExactlyAsync(_small.AsMemory(0, 1), "an entry", cancellationToken);
        switch (_small[0])
        {
            case BackupContainerFormat.TableTag:
                _payloadPending = true;
                return new TableEntry(await ReadJsonAsync<BackupTableDefinition>("a table definition", cancellationToken));
            case BackupContainerFormat.SequencesTag:
                return new SequencesEntry(await ReadJsonAsync<List<BackupSequenceState>>("the sequences", cancellationToken));
            case BackupContainerFormat.EndTag:
                await ReadExactlyAsync(_small.AsMemory(0, 4), "the end mark", cancellationToken);
                var probe = new byte[1];
                if (await input.ReadAsync(probe, cancellationToken) != 0)
                {
                    throw new BackupIntegrityException("The backup container has data after its end mark.");
                }

                return new EndEntry(BinaryPrimitives.ReadInt32BigEndian(_small));
            default:
                throw new BackupIntegrityException($"The backup container has an unknown entry tag {_small[0]}.");
        }
    }

    /// <summary>
    /// Hands the current table's payload to <paramref name="sink"/> frame by frame, then checks the row count, size and
    /// SHA-256 it computed against the table's trailer.
    /// </summary>
    public async Task<TablePayloadSummary> ReadTablePayloadAsync(
        string tableName, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> sink, CancellationToken cancellationToken)
    {
        if (!_payloadPending)
        {
            throw new InvalidOperationException("No table payload is pending.");
        }

        var counter = new CopyBinaryRowCounter();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        long bytes = 0;
        try
        {
            while (true)
            {
                await ReadExactlyAsync(_small.AsMemory(0, 4), $"the payload of {tableName}", cancellationToken);
                var length = BinaryPrimitives.ReadUInt32BigEndian(_small);
                if (length == 0)
                {
                    break;
                }

                if (length > BackupContainerFormat.MaxFrameBytes)
                {
                    throw new BackupIntegrityException($"The payload of {tableName} has a frame of {length} bytes; the container is damaged.");
                }

                if (buffer.Length < length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent((int)length);
                }

                var frame = buffer.AsMemory(0, (int)length);
                await ReadExactlyAsync(frame, $"the payload of {tableName}", cancellationToken);
                try
                {
                    counter.Feed(frame.Span);
                }
                catch (InvalidDataException exception)
                {
                    throw new BackupIntegrityException($"The payload of {tableName} is not valid binary COPY data: {exception.Message}");
                }

                hash.AppendData(frame.Span);
                bytes += length;
                await sink(frame, cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        await ReadExactlyAsync(_small, $"the trailer of {tableName}", cancellationToken);
        _payloadPending = false;
        var rows = BinaryPrimitives.ReadInt64BigEndian(_small);
        var recordedBytes = BinaryPrimitives.ReadInt64BigEndian(_small.AsSpan(8));
        var recordedSha = Convert.ToHexStringLower(_small.AsSpan(16, 32));
        var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (!counter.Completed || rows != counter.Rows || recordedBytes != bytes || recordedSha != sha)
        {
            throw new BackupIntegrityException(
                $"The payload of {tableName} does not match its trailer ({counter.Rows} rows, {bytes} bytes read; {rows} rows, {recordedBytes} bytes recorded).");
        }

        return new TablePayloadSummary(rows, bytes, sha);
    }

    private async Task<T> ReadJsonAsync<T>(string what, CancellationToken cancellationToken)
    {
        await ReadExactlyAsync(_small.AsMemory(0, 4), what, cancellationToken);
        var length = BinaryPrimitives.ReadInt32BigEndian(_small);
        if (length is <= 0 or > BackupContainerFormat.MaxJsonBytes)
        {
            throw new BackupIntegrityException($"The backup container is damaged: {what} claims {length} bytes.");
        }

        var json = new byte[length];
        await ReadExactlyAsync(json, what, cancellationToken);
        try
        {
            return JsonSerializer.Deserialize<T>(json, StreamFlowJson.Options)
                ?? throw new BackupIntegrityException($"The backup container is damaged: {what} is empty.");
        }
        catch (JsonException)
        {
            throw new BackupIntegrityException($"The backup container is damaged: {what} is not valid JSON.");
        }
    }

    private async Task ReadExactlyAsync(Memory<byte> buffer, string what, CancellationToken cancellationToken)
    {
        try
        {
            await input.ReadExactlyAsync(buffer, cancellationToken);
        }
        catch (EndOfStreamException)
        {
            throw new BackupIntegrityException($"The backup container ends in the middle of {what}.");
        }
    }
}
