using System.Security.Cryptography;
using System.Text;

namespace StreamFlow.Core.Privacy;

/// <summary>
/// The local key-encryption key: a file of lines "&lt;id&gt; &lt;base64 of 32 bytes&gt;", the last line the current
/// key. Rotating the KEK locally is appending a line; older lines stay to unwrap what they wrapped. Wraps are AES-256-GCM
/// bound to the key id. Layout: nonce (12) | tag (16) | ciphertext.
/// </summary>
public sealed class LocalKeyRing : IKeyEncryptionKey
{
    private const string Prefix = "local:";
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly IReadOnlyDictionary<string, byte[]> _keys;

    private LocalKeyRing(IReadOnlyDictionary<string, byte[]> keys, string current)
    {
        _keys = keys;
        CurrentKeyId = Prefix + current;
    }

    public string CurrentKeyId { get; }

    /// <summary>Reads the ring; a missing or malformed file is a configuration error naming the setting, never a key.</summary>
    public static LocalKeyRing Load(string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
        {
            throw new InvalidOperationException(
                "Privacy:LocalKeyRingPath must name the local key ring file (./run.sh and ./test.sh generate it under .data/), or Privacy:KeyVault must be set.");
        }

        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        string? current = null;
        foreach (var line in File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var key = new byte[32];
            if (parts.Length != 2 || !Convert.TryFromBase64String(parts[1], key, out var written) || written != 32)
            {
                throw new InvalidOperationException($"The local key ring {path} has a line that is not \"<id> <base64 of 32 bytes>\".");
            }

            keys[parts[0]] = key;
            current = parts[0];
        }

        return current is null
            ? throw new InvalidOperationException($"The local key ring {path} holds no key.")
            : new LocalKeyRing(keys, current);
    }

    /// <summary>A ring held in memory (tests and benches).</summary>
    public static LocalKeyRing InMemory(params (string Id, byte[] Key)[] keys) =>
        new(keys.ToDictionary(k => k.Id, k => k.Key, StringComparer.Ordinal), keys[^1].Id);

    public Task<WrappedKey> WrapAsync(byte[] key, CancellationToken cancellationToken)
    {
        var id = CurrentKeyId[Prefix.Length..];
        var output = new byte[NonceBytes + TagBytes + key.Length];
        RandomNumberGenerator.Fill(output.AsSpan(0, NonceBytes));
        using var aes = new AesGcm(_keys[id], TagBytes);
        aes.Encrypt(output.AsSpan(0, NonceBytes), key, output.AsSpan(NonceBytes + TagBytes), output.AsSpan(NonceBytes, TagBytes), Bind(id));
        return Task.FromResult(new WrappedKey(CurrentKeyId, output));
    }

    public Task<byte[]> UnwrapAsync(WrappedKey wrapped, CancellationToken cancellationToken)
    {
        if (!wrapped.KekId.StartsWith(Prefix, StringComparison.Ordinal) || !_keys.TryGetValue(wrapped.KekId[Prefix.Length..], out var kek))
        {
            throw new PersonalDataUnavailableException($"The key-encryption key '{wrapped.KekId}' is not in the local key ring.");
        }

        if (wrapped.Value.Length <= NonceBytes + TagBytes)
        {
            throw new PersonalDataUnavailableException($"A data key wrapped by '{wrapped.KekId}' is malformed.");
        }

        var key = new byte[wrapped.Value.Length - NonceBytes - TagBytes];
        try
        {
            using var aes = new AesGcm(kek, TagBytes);
            aes.Decrypt(wrapped.Value.AsSpan(0, NonceBytes), wrapped.Value.AsSpan(NonceBytes + TagBytes), wrapped.Value.AsSpan(NonceBytes, TagBytes), key,
                Bind(wrapped.KekId[Prefix.Length..]));
        }
        catch (CryptographicException exception)
        {
            throw new PersonalDataUnavailableException($"A data key does not unwrap with the key-encryption key '{wrapped.KekId}'.", exception);
        }

        return Task.FromResult(key);
    }

    private static byte[] Bind(string id) => Encoding.UTF8.GetBytes("streamflow.kek.local:" + id);
}
