using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace StreamFlow.Core.Backups;

/// <summary>
/// The encrypted backup format (see FORMAT.md): a header naming the backup and its key, then AES-256-GCM chunks, each
/// with a random 96-bit nonce and the header, its index, its final flag and its length bound as associated data.
/// Reordered, duplicated, modified or missing chunks, and a wrong key, all fail with a <see cref="BackupIntegrityException"/>.
/// </summary>
internal static class BackupEncryptionFormat
{
    public static ReadOnlySpan<byte> Magic => "SFBKENC1"u8;

    public const byte Version = 1;
    public const int NonceSize = 12;
    public const int TagSize = 16;
    public const int KeyCheckSize = 16;
    public const int ChunkHeaderSize = 1 + 4 + NonceSize;
    public const byte FinalFlag = 1;
    public const int MinChunkSize = 16;
    public const int MaxChunkSize = 64 * 1024 * 1024;

    /// <summary>The bytes every chunk's associated data starts with; the index, flags and length follow.</summary>
    public static byte[] BuildHeader(string keyId, string backupId, int chunkSize, ReadOnlySpan<byte> keyCheck)
    {
        var keyIdBytes = Encoding.ASCII.GetBytes(keyId);
        var backupIdBytes = Encoding.ASCII.GetBytes(backupId);
        var header = new byte[Magic.Length + 1 + 1 + keyIdBytes.Length + 1 + backupIdBytes.Length + 4 + KeyCheckSize];
        var span = header.AsSpan();
        Magic.CopyTo(span);
        span = span[Magic.Length..];
        span[0] = Version;
        span[1] = checked((byte)keyIdBytes.Length);
        keyIdBytes.CopyTo(span[2..]);
        span = span[(2 + keyIdBytes.Length)..];
        span[0] = checked((byte)backupIdBytes.Length);
        backupIdBytes.CopyTo(span[1..]);
        span = span[(1 + backupIdBytes.Length)..];
        BinaryPrimitives.WriteInt32BigEndian(span, chunkSize);
        keyCheck.CopyTo(span[4..]);
        return header;
    }

    /// <summary>Associated data of chunk <paramref name="index"/>: header ‖ index (u64) ‖ flags (u8) ‖ plaintext length (u32).</summary>
    public static void WriteAssociatedData(Span<byte> destination, ReadOnlySpan<byte> header, long index, byte flags, int length)
    {
        header.CopyTo(destination);
        var tail = destination[header.Length..];
        BinaryPrimitives.WriteInt64BigEndian(tail, index);
        tail[8] = flags;
        BinaryPrimitives.WriteInt32BigEndian(tail[9..], length);
    }

    public static int AssociatedDataSize(int headerLength) => headerLength + 8 + 1 + 4;
}

/// <summary>A backup that cannot be trusted: modified, reordered, truncated, or encrypted with another key.</summary>
public sealed class BackupIntegrityException(string message) : Exception(message);

/// <summary>
/// Write-only stream that encrypts what is written into the chunked format. Call <see cref="CompleteAsync"/> to write
/// the final chunk: disposing without it leaves a backup that readers reject as truncated, which is the point.
/// </summary>
public sealed class BackupEncryptingStream : Stream
{
    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly AesGcm _aes;
    private readonly byte[] _header;
    private readonly byte[] _plaintext;
    private readonly byte[] _ciphertext;
    private readonly byte[] _associatedData;
    private readonly int _chunkSize;
    private int _buffered;
    private long _chunkIndex;
    private bool _headerWritten;
    private bool _completed;
    private bool _disposed;

    public BackupEncryptingStream(Stream inner, BackupKeyRing keys, string backupId, int chunkSize, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(keys);
        BackupId.Validate(backupId);
        if (chunkSize is < BackupEncryptionFormat.MinChunkSize or > BackupEncryptionFormat.MaxChunkSize)
        {
            throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize,
                $"Chunks hold {BackupEncryptionFormat.MinChunkSize} to {BackupEncryptionFormat.MaxChunkSize} bytes.");
        }

        _inner = inner;
        _leaveOpen = leaveOpen;
        _chunkSize = chunkSize;
        KeyId = keys.CurrentKeyId;
        var dataKey = keys.DeriveDataKey(KeyId, backupId);
        _aes = new AesGcm(dataKey, BackupEncryptionFormat.TagSize);
        CryptographicOperations.ZeroMemory(dataKey);
        _header = BackupEncryptionFormat.BuildHeader(KeyId, backupId, chunkSize, keys.DeriveKeyCheck(KeyId, backupId));
        _plaintext = new byte[chunkSize];
        _ciphertext = new byte[BackupEncryptionFormat.ChunkHeaderSize + chunkSize + BackupEncryptionFormat.TagSize];
        _associatedData = new byte[BackupEncryptionFormat.AssociatedDataSize(_header.Length)];
    }

    /// <summary>The key id written into the header.</summary>
    public string KeyId { get; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_disposed && !_completed;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        EnsureWritable();
        var rented = buffer.ToArray();
        WriteCoreAsync(rented, useAsync: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        return WriteCoreAsync(buffer, useAsync: true, cancellationToken);
    }

    /// <summary>Encrypts what is buffered as the final chunk. Nothing may be written afterwards.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        EnsureWritable();
        await WriteHeaderIfNeededAsync(useAsync: true, cancellationToken);
        await WriteChunkAsync(final: true, useAsync: true, cancellationToken);
        _completed = true;
        await _inner.FlushAsync(cancellationToken);
    }

    public override void Flush()
    {
        // Chunks are written whole; a partial chunk stays buffered until it fills or the stream completes.
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _aes.Dispose();
            CryptographicOperations.ZeroMemory(_plaintext);
            if (!_leaveOpen)
            {
                _inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private async ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, bool useAsync, CancellationToken cancellationToken)
    {
        await WriteHeaderIfNeededAsync(useAsync, cancellationToken);
        while (!buffer.IsEmpty)
        {
            // A full buffer is written only once more data arrives, so the last chunk is never an empty one.
            if (_buffered == _chunkSize)
            {
                await WriteChunkAsync(final: false, useAsync, cancellationToken);
            }

            var take = Math.Min(buffer.Length, _chunkSize - _buffered);
            buffer.Span[..take].CopyTo(_plaintext.AsSpan(_buffered));
            _buffered += take;
            buffer = buffer[take..];
        }
    }

    private async ValueTask WriteHeaderIfNeededAsync(bool useAsync, CancellationToken cancellationToken)
    {
        if (_headerWritten)
        {
            return;
        }

        _headerWritten = true;
        if (useAsync)
        {
            await _inner.WriteAsync(_header, cancellationToken);
        }
        else
        {
            _inner.Write(_header);
        }
    }

    private async ValueTask WriteChunkAsync(bool final, bool useAsync, CancellationToken cancellationToken)
    {
        var flags = final ? BackupEncryptionFormat.FinalFlag : (byte)0;
        var length = _buffered;
        var record = _ciphertext.AsMemory(0, BackupEncryptionFormat.ChunkHeaderSize + length + BackupEncryptionFormat.TagSize);
        EncryptInto(record.Span, flags, length);
        _buffered = 0;
        _chunkIndex++;
        if (useAsync)
        {
            await _inner.WriteAsync(record, cancellationToken);
        }
        else
        {
            _inner.Write(record.Span);
        }
    }

    private void EncryptInto(Span<byte> record, byte flags, int length)
    {
        record[0] = flags;
        BinaryPrimitives.WriteInt32BigEndian(record[1..], length);
        var nonce = record.Slice(5, BackupEncryptionFormat.NonceSize);
        RandomNumberGenerator.Fill(nonce);
        var cipher = record.Slice(BackupEncryptionFormat.ChunkHeaderSize, length);
        var tag = record.Slice(BackupEncryptionFormat.ChunkHeaderSize + length, BackupEncryptionFormat.TagSize);
        BackupEncryptionFormat.WriteAssociatedData(_associatedData, _header, _chunkIndex, flags, length);
        _aes.Encrypt(nonce, _plaintext.AsSpan(0, length), cipher, tag, _associatedData);
    }

    private void EnsureWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException("The backup stream is complete; nothing more can be written.");
        }
    }
}

/// <summary>
/// Read-only stream that decrypts and authenticates the chunked format. Every failure is a
/// <see cref="BackupIntegrityException"/> (or <see cref="BackupKeyNotFoundException"/>) that says what is wrong.
/// </summary>
public sealed class BackupDecryptingStream(Stream inner, BackupKeyRing keys, string? expectedBackupId = null, bool leaveOpen = false) : Stream
{
    private byte[] _header = [];
    private byte[] _associatedData = [];
    private byte[] _plaintext = [];
    private byte[] _record = [];
    private AesGcm? _aes;
    private int _chunkSize;
    private int _available;
    private int _offset;
    private long _chunkIndex;
    private bool _finalSeen;
    private bool _disposed;

    /// <summary>The key id from the header (after the first read).</summary>
    public string? KeyId { get; private set; }

    /// <summary>The backup id from the header (after the first read).</summary>
    public string? BackupId { get; private set; }

    public override bool CanRead => !_disposed;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Reads and checks the header: the backup id and the key (a wrong key fails here, before any data).</summary>
    public async Task ReadHeaderAsync(CancellationToken cancellationToken)
    {
        if (_aes is null)
        {
            await ReadHeaderCoreAsync(useAsync: true, cancellationToken);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_available == 0)
        {
            FillAsync(useAsync: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        return CopyOut(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_available == 0)
        {
            await FillAsync(useAsync: true, cancellationToken);
        }

        return CopyOut(buffer.Span);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _aes?.Dispose();
            CryptographicOperations.ZeroMemory(_plaintext);
            if (!leaveOpen)
            {
                inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private int CopyOut(Span<byte> buffer)
    {
        var count = Math.Min(buffer.Length, _available);
        _plaintext.AsSpan(_offset, count).CopyTo(buffer);
        _offset += count;
        _available -= count;
        return count;
    }

    // Decrypts chunks until one has data or the final chunk has been read.
    private async ValueTask FillAsync(bool useAsync, CancellationToken cancellationToken)
    {
        if (_aes is null)
        {
            await ReadHeaderCoreAsync(useAsync, cancellationToken);
        }

        while (_available == 0 && !_finalSeen)
        {
            await ReadChunkAsync(useAsync, cancellationToken);
        }
    }

    private async ValueTask ReadHeaderCoreAsync(bool useAsync, CancellationToken cancellationToken)
    {
        var magic = BackupEncryptionFormat.Magic.Length;
        var fixedPart = new byte[magic + 2];
        if (await ReadFullyAsync(fixedPart, useAsync, cancellationToken) != fixedPart.Length
            || !fixedPart.AsSpan(0, magic).SequenceEqual(BackupEncryptionFormat.Magic))
        {
            throw new BackupIntegrityException("This is not a StreamFlow backup: the encryption header is missing or damaged.");
        }

        if (fixedPart[magic] != BackupEncryptionFormat.Version)
        {
            throw new BackupIntegrityException($"The backup uses encryption format version {fixedPart[magic]}; this build reads version {BackupEncryptionFormat.Version}.");
        }

        var keyIdBytes = new byte[fixedPart[magic + 1] + 1];
        if (await ReadFullyAsync(keyIdBytes, useAsync, cancellationToken) != keyIdBytes.Length)
        {
            throw Truncated("in its header");
        }

        var backupIdBytes = new byte[keyIdBytes[^1] + 4 + BackupEncryptionFormat.KeyCheckSize];
        if (await ReadFullyAsync(backupIdBytes, useAsync, cancellationToken) != backupIdBytes.Length)
        {
            throw Truncated("in its header");
        }

        var keyId = Encoding.ASCII.GetString(keyIdBytes, 0, keyIdBytes.Length - 1);
        var backupIdLength = keyIdBytes[^1];
        var backupId = Encoding.ASCII.GetString(backupIdBytes, 0, backupIdLength);
        var chunkSize = BinaryPrimitives.ReadInt32BigEndian(backupIdBytes.AsSpan(backupIdLength));
        var keyCheck = backupIdBytes.AsSpan(backupIdLength + 4, BackupEncryptionFormat.KeyCheckSize);
        if (!BackupKeyRing.IsValidKeyId(keyId) || !Backups.BackupId.IsValid(backupId)
            || chunkSize is < BackupEncryptionFormat.MinChunkSize or > BackupEncryptionFormat.MaxChunkSize)
        {
            throw new BackupIntegrityException("The backup's encryption header is damaged (key id, backup id or chunk size out of range).");
        }

        if (expectedBackupId is not null && !string.Equals(expectedBackupId, backupId, StringComparison.Ordinal))
        {
            throw new BackupIntegrityException($"The data blob holds backup '{backupId}', not '{expectedBackupId}': it was replaced or mixed up.");
        }

        var expectedCheck = keys.DeriveKeyCheck(keyId, backupId);
        if (!CryptographicOperations.FixedTimeEquals(expectedCheck, keyCheck))
        {
            throw new BackupIntegrityException(
                $"Wrong key: backup '{backupId}' was encrypted with a different key than the one configured as '{keyId}'.");
        }

        _header = [.. fixedPart, .. keyIdBytes, .. backupIdBytes];
        _associatedData = new byte[BackupEncryptionFormat.AssociatedDataSize(_header.Length)];
        _chunkSize = chunkSize;
        _plaintext = new byte[chunkSize];
        _record = new byte[BackupEncryptionFormat.ChunkHeaderSize + chunkSize + BackupEncryptionFormat.TagSize];
        var dataKey = keys.DeriveDataKey(keyId, backupId);
        _aes = new AesGcm(dataKey, BackupEncryptionFormat.TagSize);
        CryptographicOperations.ZeroMemory(dataKey);
        KeyId = keyId;
        BackupId = backupId;
    }

    private async ValueTask ReadChunkAsync(bool useAsync, CancellationToken cancellationToken)
    {
        var chunkHeader = _record.AsMemory(0, BackupEncryptionFormat.ChunkHeaderSize);
        var read = await ReadFullyAsync(chunkHeader, useAsync, cancellationToken);
        if (read == 0)
        {
            throw new BackupIntegrityException(_chunkIndex == 0
                ? "The backup is truncated: it has no data chunks."
                : $"The backup is truncated: it ends after chunk {_chunkIndex - 1} without its final chunk.");
        }

        if (read != chunkHeader.Length)
        {
            throw Truncated($"inside chunk {_chunkIndex}");
        }

        var flags = _record[0];
        var length = BinaryPrimitives.ReadInt32BigEndian(_record.AsSpan(1));
        if ((flags & ~BackupEncryptionFormat.FinalFlag) != 0 || length < 0 || length > _chunkSize)
        {
            throw new BackupIntegrityException($"Chunk {_chunkIndex} is malformed (flags {flags}, length {length}): the backup was modified.");
        }

        var body = _record.AsMemory(BackupEncryptionFormat.ChunkHeaderSize, length + BackupEncryptionFormat.TagSize);
        if (await ReadFullyAsync(body, useAsync, cancellationToken) != body.Length)
        {
            throw Truncated($"inside chunk {_chunkIndex}");
        }

        BackupEncryptionFormat.WriteAssociatedData(_associatedData, _header, _chunkIndex, flags, length);
        try
        {
            _aes!.Decrypt(
                _record.AsSpan(5, BackupEncryptionFormat.NonceSize),
                body.Span[..length],
                body.Span.Slice(length, BackupEncryptionFormat.TagSize),
                _plaintext.AsSpan(0, length),
                _associatedData);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new BackupIntegrityException(
                $"Chunk {_chunkIndex} failed authentication: the backup was modified, or its chunks were reordered, duplicated or dropped.");
        }

        _chunkIndex++;
        _offset = 0;
        _available = length;
        if ((flags & BackupEncryptionFormat.FinalFlag) != 0)
        {
            _finalSeen = true;
            var probe = new byte[1];
            if (await ReadFullyAsync(probe, useAsync, cancellationToken) != 0)
            {
                throw new BackupIntegrityException($"The backup has data after its final chunk ({_chunkIndex - 1}): it was modified.");
            }
        }
    }

    private async ValueTask<int> ReadFullyAsync(Memory<byte> buffer, bool useAsync, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = useAsync
                ? await inner.ReadAsync(buffer[total..], cancellationToken)
                : inner.Read(buffer.Span[total..]);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    private static BackupIntegrityException Truncated(string where) => new($"The backup is truncated {where}.");
}
