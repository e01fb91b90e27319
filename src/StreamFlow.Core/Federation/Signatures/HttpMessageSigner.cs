using System.Security.Cryptography;
using System.Text;

namespace StreamFlow.Core.Federation.Signatures;

/// <summary>
/// Signs an outgoing request the way <see cref="SignaturePolicy.Federation"/> verifies it: covers <c>@method</c>,
/// <c>@target-uri</c> and <c>content-digest</c> (RFC 9530, sha-256, present even for an empty body), with
/// <c>created</c>, <c>expires</c>, a random <c>nonce</c>, <c>keyid</c> and <c>alg</c>, under the label <c>sf</c>.
/// </summary>
internal static class HttpMessageSigner
{
    public const string Label = "sf";

    /// <summary>The fields to add to the request: Content-Digest, Signature-Input and Signature, in that order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Sign(
        string method, Uri target, ReadOnlySpan<byte> content, FederationSigningKey key, DateTimeOffset now, TimeSpan validity)
    {
        var digest = ContentDigest.For(content);
        var parts = new SignedRequestParts(method, target, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [ContentDigest.FieldName] = digest,
        });
        var signatureParams = new SfInnerList(
            [Component("@method"), Component("@target-uri"), Component(ContentDigest.FieldName)],
            [
                new("created", now.ToUnixTimeSeconds()),
                new("expires", (now + validity).ToUnixTimeSeconds()),
                new("nonce", Base64Url.Encode(RandomNumberGenerator.GetBytes(16))),
                new("keyid", key.KeyId),
                new("alg", key.Algorithm),
            ]);
        var signatureBase = SignatureBase.Build(parts, signatureParams, out _)
            ?? throw new InvalidOperationException("A signature base over our own components cannot fail.");
        var signature = SignatureAlgorithms.Sign(key, Encoding.ASCII.GetBytes(signatureBase));
        return
        [
            new("Content-Digest", digest),
            new("Signature-Input", Label + "=" + StructuredFields.Serialize(signatureParams)),
            new("Signature", Label + "=" + StructuredFields.SerializeByteSequence(signature)),
        ];
    }

    private static SfItem Component(string name) => new(name, []);
}
