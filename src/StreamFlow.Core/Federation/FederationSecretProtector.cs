using System.Text;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Federation;

/// <summary>
/// Encrypts peers' shared secrets at rest (<see cref="SecretBox"/>) under <see cref="FederationOptions.SecretEncryptionKey"/>,
/// the key id as associated data so a ciphertext copied to another key's row does not decrypt.
/// </summary>
public sealed class FederationSecretProtector(IOptions<FederationOptions> options)
{
    private readonly Lazy<SecretBox> _box = new(() => SecretBox.FromBase64Key(options.Value.SecretEncryptionKey, "Federation:SecretEncryptionKey"));

    public byte[] Protect(ReadOnlySpan<byte> secret, string keyId) => _box.Value.Seal(secret, AssociatedData(keyId));

    public byte[] Unprotect(byte[] protectedSecret, string keyId) => _box.Value.Open(protectedSecret, AssociatedData(keyId));

    private static byte[] AssociatedData(string keyId) => Encoding.UTF8.GetBytes($"streamflow.federation-secret.v1:{keyId}");
}
