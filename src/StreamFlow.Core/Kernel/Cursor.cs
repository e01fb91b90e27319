using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace StreamFlow.Core.Kernel;

/// <summary>
/// Opaque list cursors: base64url of the last item's sort key, so that a client passes back what it was given and
/// never builds one. Each list decides what its key is and how to check it.
/// </summary>
internal static class Cursor
{
    public const string NotOurs = "is not a cursor this list returned.";

    public static string Encode(string key) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(key));

    public static bool TryDecode(string cursor, int maxLength, [NotNullWhen(true)] out string? key)
    {
        key = null;
        if (cursor.Length > maxLength)
        {
            return false;
        }

        try
        {
            key = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
