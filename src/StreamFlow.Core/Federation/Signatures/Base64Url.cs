namespace StreamFlow.Core.Federation.Signatures;

/// <summary>Unpadded base64url (RFC 4648 §5), the encoding of nonces and Ed25519 keys here.</summary>
internal static class Base64Url
{
    public static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[]? TryDecode(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 200)
        {
            return null;
        }

        var standard = text.Trim().Replace('-', '+').Replace('_', '/');
        try
        {
            return Convert.FromBase64String(standard + new string('=', (4 - standard.Length % 4) % 4));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
