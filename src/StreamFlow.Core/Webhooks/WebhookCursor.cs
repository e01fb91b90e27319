using StreamFlow.Core.Kernel;

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

    public static string Encode(string key) => Cursor.Encode(key);

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

        errors.Add("cursor", Cursor.NotOurs);
        return null;
    }

    public static string? DecodeString(string? cursor, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        if (Cursor.TryDecode(cursor, 200, out var key))
        {
            return key;
        }

        errors.Add("cursor", Cursor.NotOurs);
        return null;
    }
}
