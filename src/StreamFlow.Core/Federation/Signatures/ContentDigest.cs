using System.Security.Cryptography;

namespace StreamFlow.Core.Federation.Signatures;

/// <summary>
/// The <c>Content-Digest</c> field of RFC 9530: a dictionary of algorithm → byte sequence over the message content.
/// We send <c>sha-256</c> and accept <c>sha-256</c> or <c>sha-512</c>; every supported digest present must match.
/// </summary>
internal static class ContentDigest
{
    public const string FieldName = "content-digest";

    public static string For(ReadOnlySpan<byte> content) =>
        "sha-256=" + StructuredFields.SerializeByteSequence(SHA256.HashData(content));

    /// <summary>True when the field names at least one supported algorithm and every supported one matches.</summary>
    public static bool Matches(string? field, ReadOnlySpan<byte> content)
    {
        var members = field is null ? null : StructuredFields.ParseDictionary(field);
        if (members is null)
        {
            return false;
        }

        var checkedAny = false;
        foreach (var (algorithm, member) in members)
        {
            byte[]? expected = algorithm switch
            {
                "sha-256" => SHA256.HashData(content),
                "sha-512" => SHA512.HashData(content),
                _ => null,
            };
            if (expected is null)
            {
                continue;
            }

            if (member is not SfItem { Value: byte[] given } || !CryptographicOperations.FixedTimeEquals(given, expected))
            {
                return false;
            }

            checkedAny = true;
        }

        return checkedAny;
    }
}
