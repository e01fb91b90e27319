using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace StreamFlow.Core.Privacy;

/// <summary>
/// A tenant's unwrapped keys for a few minutes: its data keys by version (new values are sealed with the current one)
/// and its blind-index key. Sealed layout: format (1) | key version (4, big-endian) | nonce (12) | tag (16) | ciphertext,
/// AES-256-GCM with associated data tenant | table | column | row id | version, so a value copied to another row, column
/// or tenant does not open. Never logged; <see cref="ToString"/> names the tenant and versions only.
/// </summary>
public sealed class TenantKeys
{
    private const byte FormatVersion = 1;
    private const int HeaderBytes = 1 + 4;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly IReadOnlyDictionary<int, byte[]> _dataKeys;
    private readonly IReadOnlyDictionary<int, string> _unavailable;
    private readonly byte[] _indexKey;

    public TenantKeys(Guid tenantId, int currentVersion, IReadOnlyDictionary<int, byte[]> dataKeys, IReadOnlyDictionary<int, string> unavailable, byte[] indexKey)
    {
        TenantId = tenantId;
        CurrentVersion = currentVersion;
        _dataKeys = dataKeys;
        _unavailable = unavailable;
        _indexKey = indexKey;
    }

    public Guid TenantId { get; }

    public int CurrentVersion { get; }

    public byte[]? Seal(string table, string column, Guid rowId, string? plaintext) =>
        plaintext is null ? null : SealWith(CurrentVersion, table, column, rowId, plaintext);

    public byte[] SealWith(int version, string table, string column, Guid rowId, string plaintext)
    {
        var key = Key(version, table, column);
        var data = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[HeaderBytes + NonceBytes + TagBytes + data.Length];
        output[0] = FormatVersion;
        BinaryPrimitives.WriteInt32BigEndian(output.AsSpan(1, 4), version);
        RandomNumberGenerator.Fill(output.AsSpan(HeaderBytes, NonceBytes));
        using var aes = new AesGcm(key, TagBytes);
        aes.Encrypt(output.AsSpan(HeaderBytes, NonceBytes), data, output.AsSpan(HeaderBytes + NonceBytes + TagBytes),
            output.AsSpan(HeaderBytes + NonceBytes, TagBytes), AssociatedData(table, column, rowId, version));
        return output;
    }

    /// <exception cref="PersonalDataUnavailableException">No key for the value's version, or the value does not authenticate here.</exception>
    public string? Open(string table, string column, Guid rowId, byte[]? sealedValue)
    {
        if (sealedValue is null)
        {
            return null;
        }

        if (sealedValue.Length < HeaderBytes + NonceBytes + TagBytes || sealedValue[0] != FormatVersion)
        {
            throw new PersonalDataUnavailableException($"The {table}.{column} of {rowId} has an unknown format.");
        }

        var version = VersionOf(sealedValue);
        var key = Key(version, table, column);
        var plaintext = new byte[sealedValue.Length - HeaderBytes - NonceBytes - TagBytes];
        try
        {
            using var aes = new AesGcm(key, TagBytes);
            aes.Decrypt(sealedValue.AsSpan(HeaderBytes, NonceBytes), sealedValue.AsSpan(HeaderBytes + NonceBytes + TagBytes),
                sealedValue.AsSpan(HeaderBytes + NonceBytes, TagBytes), plaintext, AssociatedData(table, column, rowId, version));
        }
        catch (CryptographicException exception)
        {
            throw new PersonalDataUnavailableException(
                $"The {table}.{column} of {rowId} does not authenticate with the business's data key {version}: it was sealed for another row, column or business, or altered.",
                exception);
        }

        return Encoding.UTF8.GetString(plaintext);
    }

    /// <summary>The data key version a sealed value names (rotation reads it).</summary>
    public static int VersionOf(byte[] sealedValue) => BinaryPrimitives.ReadInt32BigEndian(sealedValue.AsSpan(1, 4));

    /// <summary>The blind index of a normalised value: HMAC-SHA256 under the index key, domain-separated by kind ("email", "phone").</summary>
    public byte[]? Index(string kind, string? normalized) =>
        normalized is null ? null : HMACSHA256.HashData(_indexKey, Encoding.UTF8.GetBytes(kind + "\n" + normalized));

    public override string ToString() => $"TenantKeys({TenantId}, current v{CurrentVersion})";

    private byte[] Key(int version, string table, string column) =>
        _dataKeys.TryGetValue(version, out var key)
            ? key
            : throw new PersonalDataUnavailableException(_unavailable.TryGetValue(version, out var reason)
                ? $"The {table}.{column} is sealed with the business's data key {version}, which is unavailable: {reason}"
                : $"The {table}.{column} is sealed with a data key version ({version}) this business does not have.");

    private byte[] AssociatedData(string table, string column, Guid rowId, int version) =>
        Encoding.UTF8.GetBytes($"{TenantId:N}|{table}|{column}|{rowId:N}|{version}");
}
