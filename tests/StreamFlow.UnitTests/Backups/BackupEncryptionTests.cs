using System.Buffers.Binary;
using System.Security.Cryptography;
using StreamFlow.Core.Backups;

namespace StreamFlow.UnitTests.Backups;

public sealed class BackupEncryptionTests
{
    private const int ChunkSize = 16;
    private const string Id = "20261126T023000Z-3f2a9c1e";

    private static readonly byte[] KeyA = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] KeyB = RandomNumberGenerator.GetBytes(32);
    private static readonly BackupKeyRing RingA = BackupKeyRing.FromKeys("k1", new Dictionary<string, byte[]> { ["k1"] = KeyA });

    // 64 bytes in 16-byte chunks: chunks 0-2 full and not final, chunk 3 full and final.
    private static readonly byte[] Plaintext = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(64)]
    [InlineData(1000)]
    public async Task Round_trip_returns_the_plaintext(int length)
    {
        var plaintext = RandomNumberGenerator.GetBytes(length);

        var decrypted = await DecryptAsync(await EncryptAsync(plaintext, RingA), RingA);

        Assert.Equal(plaintext, decrypted);
    }

    [Fact]
    public async Task The_same_plaintext_encrypts_differently_each_time()
    {
        var first = await EncryptAsync(Plaintext, RingA);
        var second = await EncryptAsync(Plaintext, RingA);

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task A_flipped_byte_is_rejected()
    {
        var blob = await EncryptAsync(Plaintext, RingA);
        var chunks = Chunks(blob);
        blob[chunks[1].Offset + 17 + 3] ^= 0x01;

        var error = await Assert.ThrowsAsync<BackupIntegrityException>(() => DecryptAsync(blob, RingA));

        Assert.Contains("Chunk 1 failed authentication", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Swapped_chunks_are_rejected()
    {
        var blob = await EncryptAsync(Plaintext, RingA);
        var chunks = Chunks(blob);
        var swapped = Rebuild(blob, [chunks[1], chunks[0], chunks[2], chunks[3]]);

        var error = await Assert.ThrowsAsync<BackupIntegrityException>(() => DecryptAsync(swapped, RingA));

        Assert.Contains("Chunk 0 failed authentication", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_duplicated_chunk_is_rejected()
    {
        var blob = await EncryptAsync(Plaintext, RingA);
        var chunks = Chunks(blob);
        var duplicated = Rebuild(blob, [chunks[0], chunks[1], chunks[1], chunks[2], chunks[3]]);

        var error = await Assert.ThrowsAsync<BackupIntegrityException>(() => DecryptAsync(duplicated, RingA));

        Assert.Contains("Chunk 2 failed authentication", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dropped_last_chunk_is_rejected_as_truncated()
    {
        var blob = await EncryptAsync(Plaintext, RingA);
        var chunks = Chunks(blob);
        var truncated = Rebuild(blob, chunks[..^1]);

        var error = await Assert.ThrowsAsync<BackupIntegrityException>(() => DecryptAsync(truncated, RingA));

        Assert.Equal("The backup is truncated: it ends after chunk 2 without its final chunk.", error.Message);
    }

    [Fact]
    public async Task A_chunk_relabelled_as_final_is_rejected()
    {
        var blob = await EncryptAsync(Plaintext, RingA);
        var chunks = Chunks(blob);
        var cut = Rebuild(blob, chunks[..2]);
        cut[Chunks(cut)[1].Offset] = 1;

        var error = await Assert.ThrowsAsync<BackupIntegrityException>(() => DecryptAsync(cut, RingA));

        Assert.Contains("Chunk 1 failed authentication", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chunk_cut_short_is_rejected_as_truncated()
    {
        var blob = await EncryptAsync(Plaintext, RingA);

        var error = await Assert.ThrowsAsync<BackupIntegrityException>(() => DecryptAsync(blob[..^5], RingA));

        Assert.Equal("The backup is truncated inside chunk 3.", error.Message);
    }

    [Fact]
    public async Task Data_after_the_final_chunk_is_rejected()
    {
        var blob = await EncryptAsync(Plaintext, RingA);

        var error = await Assert.ThrowsAsync<BackupIntegrityException>(() => DecryptAsync([.. blob, 0x00], RingA));

        Assert.Contains("data after its final chunk", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_key_is_rejected_before_any_data_is_returned()
    {
        var blob = await EncryptAsync(Plaintext, RingA);
        var wrongRing = BackupKeyRing.FromKeys("k1", new Dictionary<string, byte[]> { ["k1"] = KeyB });

        var error = await Assert.ThrowsAsync<BackupIntegrityException>(() => DecryptAsync(blob, wrongRing));

        Assert.Equal($"Wrong key: backup '{Id}' was encrypted with a different key than the one configured as 'k1'.", error.Message);
    }

    [Fact]
    public async Task A_key_missing_from_the_ring_names_the_setting_to_add()
    {
        var blob = await EncryptAsync(Plaintext, RingA);
        var otherRing = BackupKeyRing.FromKeys("k2", new Dictionary<string, byte[]> { ["k2"] = KeyB });

        var error = await Assert.ThrowsAsync<BackupKeyNotFoundException>(() => DecryptAsync(blob, otherRing));

        Assert.Contains("Backups:Keys:k1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backups_taken_before_a_key_rotation_stay_readable()
    {
        var blob = await EncryptAsync(Plaintext, RingA);
        var rotated = BackupKeyRing.FromKeys("k2", new Dictionary<string, byte[]> { ["k1"] = KeyA, ["k2"] = KeyB });

        var decrypted = await DecryptAsync(blob, rotated);
        var newBlob = await EncryptAsync(Plaintext, rotated);

        Assert.Equal(Plaintext, decrypted);
        Assert.Equal(Plaintext, await DecryptAsync(newBlob, rotated));
        await Assert.ThrowsAsync<BackupKeyNotFoundException>(() => DecryptAsync(newBlob, RingA));
    }

    [Fact]
    public async Task Another_backups_data_is_rejected()
    {
        var blob = await EncryptAsync(Plaintext, RingA);

        var error = await Assert.ThrowsAsync<BackupIntegrityException>(() => DecryptAsync(blob, RingA, "20261127T023000Z-00000000"));

        Assert.Contains("holds backup '20261126T023000Z-3f2a9c1e'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_modified_header_is_rejected()
    {
        var blob = await EncryptAsync(Plaintext, RingA);
        var chunkSizeOffset = HeaderLength() - 16 - 4;
        BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(chunkSizeOffset), 32);

        var error = await Assert.ThrowsAsync<BackupIntegrityException>(() => DecryptAsync(blob, RingA));

        Assert.Contains("failed authentication", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disposing_without_completing_leaves_a_backup_readers_reject()
    {
        using var output = new MemoryStream();
        await using (var encryptor = new BackupEncryptingStream(output, RingA, Id, ChunkSize, leaveOpen: true))
        {
            await encryptor.WriteAsync(Plaintext);
        }

        var error = await Assert.ThrowsAsync<BackupIntegrityException>(() => DecryptAsync(output.ToArray(), RingA));

        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    private static async Task<byte[]> EncryptAsync(byte[] plaintext, BackupKeyRing ring)
    {
        using var output = new MemoryStream();
        await using (var encryptor = new BackupEncryptingStream(output, ring, Id, ChunkSize, leaveOpen: true))
        {
            // Uneven writes: chunk boundaries must not depend on how callers write.
            for (var offset = 0; offset < plaintext.Length; offset += 7)
            {
                await encryptor.WriteAsync(plaintext.AsMemory(offset, Math.Min(7, plaintext.Length - offset)));
            }

            await encryptor.CompleteAsync(CancellationToken.None);
        }

        return output.ToArray();
    }

    private static async Task<byte[]> DecryptAsync(byte[] blob, BackupKeyRing ring, string? expectedId = null)
    {
        await using var decryptor = new BackupDecryptingStream(new MemoryStream(blob), ring, expectedId);
        using var plaintext = new MemoryStream();
        await decryptor.CopyToAsync(plaintext);
        return plaintext.ToArray();
    }

    private static int HeaderLength() => 8 + 1 + 1 + "k1".Length + 1 + Id.Length + 4 + 16;

    private static (int Offset, int Length)[] Chunks(byte[] blob)
    {
        var chunks = new List<(int, int)>();
        var offset = HeaderLength();
        while (offset < blob.Length)
        {
            var length = 17 + BinaryPrimitives.ReadInt32BigEndian(blob.AsSpan(offset + 1)) + 16;
            chunks.Add((offset, length));
            offset += length;
        }

        return [.. chunks];
    }

    private static byte[] Rebuild(byte[] blob, (int Offset, int Length)[] chunks) =>
        [.. blob.AsSpan(0, HeaderLength()), .. chunks.SelectMany(c => blob.AsSpan(c.Offset, c.Length).ToArray())];
}
