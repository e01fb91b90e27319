using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace StreamFlow.EndToEndTests.Federation;

/// <summary>
/// A peer instance's signer written from docs/federation-signatures.md alone (not StreamFlow's own signer), so the
/// tests show that the published steps are enough to call a member.
/// </summary>
internal sealed record PeerSigner(string KeyId, string Algorithm, byte[] Key)
{
    public HttpRequestMessage Get(Uri target, DateTimeOffset created, string? nonce = null, TimeSpan? validity = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, target);
        var digest = "sha-256=:" + Convert.ToBase64String(SHA256.HashData([])) + ":";
        var parameters = "(\"@method\" \"@target-uri\" \"content-digest\")"
            + $";created={created.ToUnixTimeSeconds()};expires={(created + (validity ?? TimeSpan.FromMinutes(1))).ToUnixTimeSeconds()}"
            + $";nonce=\"{nonce ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(16))}\";keyid=\"{KeyId}\";alg=\"{Algorithm}\"";
        var signatureBase = $"\"@method\": GET\n\"@target-uri\": {target.AbsoluteUri}\n\"content-digest\": {digest}\n\"@signature-params\": {parameters}";
        request.Headers.TryAddWithoutValidation("Content-Digest", digest);
        request.Headers.TryAddWithoutValidation("Signature-Input", "sf=" + parameters);
        request.Headers.TryAddWithoutValidation("Signature", "sf=:" + Convert.ToBase64String(Sign(Encoding.ASCII.GetBytes(signatureBase))) + ":");
        return request;
    }

    public static (byte[] Seed, string PublicKey) NewEd25519()
    {
        using var key = NSec.Cryptography.Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        var publicKey = Convert.ToBase64String(key.PublicKey.Export(KeyBlobFormat.RawPublicKey)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (key.Export(KeyBlobFormat.RawPrivateKey), publicKey);
    }

    private byte[] Sign(byte[] data)
    {
        if (Algorithm == "hmac-sha256")
        {
            return HMACSHA256.HashData(Key, data);
        }

        using var key = NSec.Cryptography.Key.Import(SignatureAlgorithm.Ed25519, Key, KeyBlobFormat.RawPrivateKey);
        return SignatureAlgorithm.Ed25519.Sign(key, data);
    }
}
