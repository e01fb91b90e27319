using System.Security.Cryptography;

namespace StreamFlow.Core.FieldOps.Quotes;

/// <summary>
/// The approval link's token: 32 random bytes, base64url, good for one quote version's decision only. The database keeps
/// only its SHA-256, so a read of the table (or a backup) cannot approve anything.
/// </summary>
internal static class QuoteApprovalTokens
{
    public static string New() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static byte[]? Hash(string? token) =>
        token is { Length: 43 } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(token))
            : null;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
