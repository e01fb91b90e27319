using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace StreamFlow.Core.Backups;

/// <summary>
/// The backup keys by id, from <c>Backups:EncryptionKey</c> (id <c>default</c>) and <c>Backups:Keys:&lt;id&gt;</c>.
/// A rotation adds a key and moves <c>Backups:CurrentKeyId</c> to it; the old key stays until no backup needs it.
/// Master keys never leave this class: each backup is encrypted with a key derived for its id.
/// </summary>
public sealed partial class BackupKeyRing
{
    public const int KeySizeBytes = 32;

    private static readonly byte[] DataKeyInfo = "StreamFlow backup data key v1"u8.ToArray();
    private static readonly byte[] KeyCheckInfo = "StreamFlow backup key check v1"u8.ToArray();

    private readonly Dictionary<string, byte[]> _keys;

    private BackupKeyRing(Dictionary<string, byte[]> keys, string currentKeyId)
    {
        _keys = keys;
        CurrentKeyId = currentKeyId;
    }

    /// <summary>The key new backups are encrypted with.</summary>
    public string CurrentKeyId { get; }

    public IReadOnlyCollection<string> KeyIds => _keys.Keys;

    public bool Contains(string keyId) => _keys.ContainsKey(keyId);

    /// <summary>Reads the ring from settings; a missing or malformed key fails with the setting to fix (never its value).</summary>
    public static BackupKeyRing From(BackupOptions options)
    {
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(options.EncryptionKey))
        {
            keys[BackupOptions.DefaultKeyId] = ParseKey(options.EncryptionKey, "Backups:EncryptionKey");
        }

        foreach (var (keyId, value) in options.Keys)
        {
            if (!IsValidKeyId(keyId))
            {
                throw new InvalidOperationException(
                    $"Backups:Keys:{keyId} has an invalid key id: use 1 to 64 letters, digits, '.', '_' or '-'.");
            }

            var key = ParseKey(value, $"Backups:Keys:{keyId}");
            if (keys.TryGetValue(keyId, out var existing) && !CryptographicOperations.FixedTimeEquals(existing, key))
            {
                throw new InvalidOperationException(
                    $"Backups:Keys:{keyId} and Backups:EncryptionKey both define key '{keyId}' with different values.");
            }

            keys[keyId] = key;
        }

        var current = string.IsNullOrWhiteSpace(options.CurrentKeyId) ? BackupOptions.DefaultKeyId : options.CurrentKeyId.Trim();
        if (!keys.ContainsKey(current))
        {
            throw new InvalidOperationException(current == BackupOptions.DefaultKeyId
                ? "No backup key is configured: set Backups:EncryptionKey (base64 of 32 random bytes)."
                : $"Backups:CurrentKeyId is '{current}' but Backups:Keys:{current} is not set.");
        }

        return new BackupKeyRing(keys, current);
    }

    /// <summary>A ring from raw keys (tests, tools).</summary>
    public static BackupKeyRing FromKeys(string currentKeyId, IReadOnlyDictionary<string, byte[]> keys)
    {
        foreach (var (keyId, key) in keys)
        {
            if (!IsValidKeyId(keyId) || key.Length != KeySizeBytes)
            {
                throw new ArgumentException($"Key '{keyId}' must have a valid id and {KeySizeBytes} bytes.", nameof(keys));
            }
        }

        if (!keys.ContainsKey(currentKeyId))
        {
            throw new ArgumentException($"The current key '{currentKeyId}' is not in the ring.", nameof(currentKeyId));
        }

        return new BackupKeyRing(keys.ToDictionary(k => k.Key, k => k.Value.ToArray(), StringComparer.Ordinal), currentKeyId);
    }

    public static bool IsValidKeyId(string keyId) => KeyIdPattern().IsMatch(keyId);

    /// <summary>The AES-256 key of one backup: HKDF-SHA256 of the master key with the backup id as salt.</summary>
    internal byte[] DeriveDataKey(string keyId, string backupId) => Derive(keyId, backupId, DataKeyInfo, KeySizeBytes);

    /// <summary>A value stored in the backup header that tells "wrong key" apart from "modified data".</summary>
    internal byte[] DeriveKeyCheck(string keyId, string backupId) => Derive(keyId, backupId, KeyCheckInfo, 16);

    private byte[] Derive(string keyId, string backupId, byte[] info, int length)
    {
        if (!_keys.TryGetValue(keyId, out var master))
        {
            throw new BackupKeyNotFoundException(keyId);
        }

        return HKDF.DeriveKey(HashAlgorithmName.SHA256, master, length, Encoding.UTF8.GetBytes(backupId), info);
    }

    private static byte[] ParseKey(string value, string setting)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(value.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{setting} is not valid base64 (expected base64 of {KeySizeBytes} random bytes).");
        }

        if (key.Length != KeySizeBytes)
        {
            throw new InvalidOperationException($"{setting} decodes to {key.Length} bytes; a backup key has exactly {KeySizeBytes}.");
        }

        return key;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyIdPattern();
}

/// <summary>A backup names a key the ring does not hold (it was removed too early, or the settings are incomplete).</summary>
public sealed class BackupKeyNotFoundException(string keyId)
    : Exception($"The backup was encrypted with key '{keyId}', which is not configured: set Backups:Keys:{keyId} (or Backups:EncryptionKey for '{BackupOptions.DefaultKeyId}').")
{
    public string KeyId { get; } = keyId;
}
