using System.Buffers.Text;
using System.Text;
using StreamFlow.Core.Results;

namespace StreamFlow.Core.Webhooks;

/// <summary>Opaque list cursors (base64url of the last item's key) and page-size checks shared by the webhook lists.</summary>
internal static class WebhookCursor
{
    public static int PageSize(int? limit, ValidationErrors errors)
    {
        var size = limit ?? WebhookEndpointService.DefaultPageSize;
        if (size is < 1 or > WebhookEndpointService.MaxPageSize)
        {
            errors.Add("limit", $"must be between 1 and {WebhookEndpointService.MaxPageSize}.");
            return WebhookEndpointService.DefaultPageSize;
        }

        return size;
    }

    public static string Encode(Guid key) => Encode(key.ToString("N"));

    public static string Encode(string key) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(key));

    public static Guid? DecodeGuid(string? cursor, ValidationErrors errors)
    {
        var key = DecodeString(cursor, errors);
        if (key is null)
        {
            return null;
        }

        if (Guid.TryParseExact(key, "N", out var id))
        {
            return id;
        }

        errors.Add("cursor", "is not a cursor this list returned.");
        return null;
    }

    public static string? DecodeString(string? cursor, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        try
        {
            if (cursor.Length <= 200)
            {
                return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            }
        }
        catch (FormatException)
        {
        }

        errors.Add("cursor", "is not a cursor this list returned.");
        return null;
    }
}
