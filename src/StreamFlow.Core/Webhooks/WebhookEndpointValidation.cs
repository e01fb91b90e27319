using System.Text.RegularExpressions;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Webhooks;

/// <summary>Field checks of endpoint requests, so that every problem is reported at once.</summary>
internal static partial class WebhookEndpointValidation
{
    public const int MaxDescriptionLength = 500;
    public const int MaxEventTypes = 50;
    public const int MaxHeaders = 20;
    public const int MaxHeaderValueLength = 1024;
    public const int MaxHeadersTotalBytes = 4096;
    public const int MaxRateLimitPerSecond = 10_000;

    // Set by StreamFlow itself or by the HTTP stack; a custom header must not override them.
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "content-type", "content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive",
        "upgrade", "te", "trailer", "expect", "user-agent", "cookie", "proxy-authorization", "proxy-connection",
    };

    public static void ValidateCreate(CreateWebhookEndpoint request, bool allowLoopback, ValidationErrors errors)
    {
        WebhookUrlPolicy.Validate(request.Url, allowLoopback, errors);
        ValidateCommon(request.EventTypes, request.Description, request.Headers, errors);
        if (request.RateLimitPerSecond is { } limit && (limit < 1 || limit > MaxRateLimitPerSecond))
        {
            errors.Add("rateLimitPerSecond", $"must be between 1 and {MaxRateLimitPerSecond}.");
        }
    }

    public static void ValidateUpdate(UpdateWebhookEndpoint request, bool allowLoopback, ValidationErrors errors)
    {
        if (request.Url is not null)
        {
            WebhookUrlPolicy.Validate(request.Url, allowLoopback, errors);
        }

        ValidateCommon(request.EventTypes, request.Description, request.Headers, errors);
        if (request.RateLimitPerSecond is { } limit && (limit < 0 || limit > MaxRateLimitPerSecond))
        {
            errors.Add("rateLimitPerSecond", $"must be between 1 and {MaxRateLimitPerSecond}, or 0 to remove the limit.");
        }
    }

    public static IReadOnlyList<string> NormalizeEventTypes(IReadOnlyList<string>? eventTypes) =>
        eventTypes is null ? [] : eventTypes.Select(t => t.Trim()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    private static void ValidateCommon(
        IReadOnlyList<string>? eventTypes, string? description, IReadOnlyDictionary<string, string>? headers, ValidationErrors errors)
    {
        if (eventTypes is not null)
        {
            if (eventTypes.Count > MaxEventTypes)
            {
                errors.Add("eventTypes", $"must list at most {MaxEventTypes} event types.");
            }

            foreach (var type in eventTypes)
            {
                if (string.IsNullOrWhiteSpace(type) || !WebhookEventCatalog.IsSubscribable(type.Trim()))
                {
                    errors.Add("eventTypes", $"'{Truncate(type)}' is not an event type of the catalog.");
                }
            }
        }

        errors.MaxLength("description", description, MaxDescriptionLength);

        if (headers is null)
        {
            return;
        }

        if (headers.Count > MaxHeaders)
        {
            errors.Add("headers", $"must have at most {MaxHeaders} headers.");
        }

        var totalBytes = 0;
        foreach (var (name, value) in headers)
        {
            totalBytes += name.Length + (value?.Length ?? 0) + 4;
            if (!HeaderName().IsMatch(name))
            {
                errors.Add("headers", $"'{Truncate(name)}' is not a valid header name.");
            }
            else if (ReservedHeaders.Contains(name) || name.StartsWith("webhook-", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("sec-", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add("headers", $"'{name}' is set by StreamFlow and cannot be overridden.");
            }

            if (value is null || value.Length > MaxHeaderValueLength || value.Any(c => c is '\r' or '\n' or '\0' || char.IsControl(c) && c != '\t'))
            {
                errors.Add("headers", $"the value of '{Truncate(name)}' must be at most {MaxHeaderValueLength} characters without control characters.");
            }
        }

        if (totalBytes > MaxHeadersTotalBytes)
        {
            errors.Add("headers", $"must be at most {MaxHeadersTotalBytes} bytes in total.");
        }
    }

    private static string Truncate(string? value) => value is null ? "" : value.Length <= 64 ? value : value[..64] + "…";

    [GeneratedRegex("^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$")]
    private static partial Regex HeaderName();
}
