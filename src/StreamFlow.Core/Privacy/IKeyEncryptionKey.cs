namespace StreamFlow.Core.Privacy;

/// <summary>A data key as stored: wrapped by the key-encryption key version named by <see cref="KekId"/>.</summary>
public sealed record WrappedKey(string KekId, byte[] Value);

/// <summary>
/// The key-encryption key (KEK) that wraps tenants' data and index keys. It never leaves its home (the local key ring
/// file or Azure Key Vault): only wrap and unwrap are asked of it.
/// </summary>
public interface IKeyEncryptionKey
{
    /// <summary>The KEK version new wraps use.</summary>
    string CurrentKeyId { get; }

    Task<WrappedKey> WrapAsync(byte[] key, CancellationToken cancellationToken);

    /// <exception cref="PersonalDataUnavailableException">The KEK version is unknown, unreachable or refuses the wrap.</exception>
    Task<byte[]> UnwrapAsync(WrappedKey wrapped, CancellationToken cancellationToken);
}
