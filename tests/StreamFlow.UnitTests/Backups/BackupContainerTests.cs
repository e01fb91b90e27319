using System.Buffers.Binary;
using System.Security.Cryptography;
using StreamFlow.Core.Backups;

namespace StreamFlow.UnitTests.Backups;

public sealed class BackupContainerTests
{
    private static readonly BackupContainerHeader Header = new(
        "20261126T023000Z-3f2a9c1e", DateTimeOffset.Parse("2026-11-26T02:30:00Z"), "streamflow", "15.18", "0001_a.sql", ["0001_a.sql"], "binary");

    private static readonly BackupTableDefinition Tenants = new("public", "tenants", [new BackupColumn("id", "uuid"), new BackupColumn("name", "text")]);

    [Fact]
    public void Row_counter_counts_tuples_however_the_stream_is_split()
    {
        var payload = CopyPayload(rows: 5, fieldsPerRow: 3);

        for (var split = 1; split < payload.Length; split++)
        {
            var counter = new CopyBinaryRowCounter();
            counter.Feed(payload.AsSpan(0, split));
            counter.Feed(payload.AsSpan(split));

            Assert.True(counter.Completed, $"split at {split}");
            Assert.Equal(5, counter.Rows);
        }
    }

    [Fact]
    public void Row_counter_counts_rows_with_null_fields()
    {
        var counter = new CopyBinaryRowCounter();

        counter.Feed(CopyPayload(rows: 3, fieldsPerRow: 2, nullEvery: 2));

        Assert.Equal(3, counter.Rows);
        Assert.True(counter.Completed);
    }

    [Fact]
    public void Row_counter_rejects_data_that_is_not_binary_copy()
    {
        var counter = new CopyBinaryRowCounter();

        Assert.Throws<InvalidDataException>(() => counter.Feed("id,name\n1,a\n"u8));
    }

    [Fact]
    public async Task Container_round_trip_returns_each_table_with_its_rows_and_checksum()
    {
        var tenants = CopyPayload(rows: 2, fieldsPerRow: 2);
        var empty = CopyPayload(rows: 0, fieldsPerRow: 0);
        var sequences = new List<BackupSequenceState> { new("platform_heartbeats_id_seq", 42, true) };
        using var container = new MemoryStream();
        var writer = new BackupContainerWriter(container);
        await writer.WriteHeaderAsync(Header, CancellationToken.None);
        var written = await writer.WriteTableAsync(Tenants, new MemoryStream(tenants), CancellationToken.None);
        await writer.WriteTableAsync(Tenants with { Name = "empty" }, new MemoryStream(empty), CancellationToken.None);
        await writer.WriteSequencesAsync(sequences, CancellationToken.None);
        await writer.WriteEndAsync(2, CancellationToken.None);

        container.Position = 0;
        var reader = new BackupContainerReader(container);
        var header = await reader.ReadHeaderAsync(CancellationToken.None);
        var first = Assert.IsType<TableEntry>(await reader.ReadEntryAsync(CancellationToken.None));
        using var received = new MemoryStream();
        var read = await reader.ReadTablePayloadAsync(first.Table.Name, (frame, _) => received.WriteAsync(frame), CancellationToken.None);
        var second = Assert.IsType<TableEntry>(await reader.ReadEntryAsync(CancellationToken.None));
        await reader.ReadTablePayloadAsync(second.Table.Name, (_, _) => ValueTask.CompletedTask, CancellationToken.None);
        var sequenceEntry = Assert.IsType<SequencesEntry>(await reader.ReadEntryAsync(CancellationToken.None));
        var end = Assert.IsType<EndEntry>(await reader.ReadEntryAsync(CancellationToken.None));

        Assert.Equal(Header.BackupId, header.BackupId);
        Assert.Equal(Tenants.Columns, first.Table.Columns);
        Assert.Equal(tenants, received.ToArray());
        Assert.Equal(new TablePayloadSummary(2, tenants.Length, Convert.ToHexStringLower(SHA256.HashData(tenants))), written);
        Assert.Equal(written, read);
        Assert.Equal("empty", second.Table.Name);
        Assert.Equal(sequences, sequenceEntry.Sequences);
        Assert.Equal(2, end.TableCount);
    }

    [Fact]
    public async Task A_payload_that_differs_from_its_trailer_is_rejected()
    {
        var tenants = CopyPayload(rows: 2, fieldsPerRow: 2);
        using var container = new MemoryStream();
        var writer = new BackupContainerWriter(container);
        await writer.WriteHeaderAsync(Header, CancellationToken.None);
        await writer.WriteTableAsync(Tenants, new MemoryStream(tenants), CancellationToken.None);
        var bytes = container.ToArray();
        // The last field byte of the last row sits just before the COPY trailer, the frame end and the table trailer.
        bytes[^(2 + 4 + 48 + 1)] ^= 0xFF;

        var reader = new BackupContainerReader(new MemoryStream(bytes));
        await reader.ReadHeaderAsync(CancellationToken.None);
        await reader.ReadEntryAsync(CancellationToken.None);
        var error = await Assert.ThrowsAsync<BackupIntegrityException>(() =>
            reader.ReadTablePayloadAsync("tenants", (_, _) => ValueTask.CompletedTask, CancellationToken.None));

        Assert.Contains("does not match its trailer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_container_cut_short_is_rejected()
    {
        using var container = new MemoryStream();
        var writer = new BackupContainerWriter(container);
        await writer.WriteHeaderAsync(Header, CancellationToken.None);
        await writer.WriteTableAsync(Tenants, new MemoryStream(CopyPayload(rows: 2, fieldsPerRow: 2)), CancellationToken.None);

        var reader = new BackupContainerReader(new MemoryStream(container.ToArray()[..^10]));
        await reader.ReadHeaderAsync(CancellationToken.None);
        await reader.ReadEntryAsync(CancellationToken.None);
        var error = await Assert.ThrowsAsync<BackupIntegrityException>(() =>
            reader.ReadTablePayloadAsync("tenants", (_, _) => ValueTask.CompletedTask, CancellationToken.None));

        Assert.Equal("The backup container ends in the middle of the trailer of tenants.", error.Message);
    }

    // PostgreSQL's binary COPY layout: signature, flags, header extension, tuples (field count, then length + bytes), trailer -1.
    private static byte[] CopyPayload(int rows, int fieldsPerRow, int nullEvery = 0)
    {
        using var stream = new MemoryStream();
        stream.Write([0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00]);
        stream.Write(new byte[8]);
        var field = 0;
        for (var row = 0; row < rows; row++)
        {
            WriteInt16(stream, (short)fieldsPerRow);
            for (var column = 0; column < fieldsPerRow; column++)
            {
                field++;
                if (nullEvery > 0 && field % nullEvery == 0)
                {
                    WriteInt32(stream, -1);
                    continue;
                }

                var value = System.Text.Encoding.UTF8.GetBytes($"value {row}.{column}");
                WriteInt32(stream, value.Length);
                stream.Write(value);
            }
        }

        WriteInt16(stream, -1);
        return stream.ToArray();
    }

    private static void WriteInt16(Stream stream, short value)
    {
        Span<byte> buffer = stackalloc byte[2];
        BinaryPrimitives.WriteInt16BigEndian(buffer, value);
        stream.Write(buffer);
    }

    private static void WriteInt32(Stream stream, int value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(buffer, value);
        stream.Write(buffer);
    }
}
