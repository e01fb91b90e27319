using System.Net;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Webhooks;

/// <summary>
/// Checks an endpoint URL when it is saved. The address the host resolves to is checked again on every connection
/// (<see cref="WebhookHttpSender"/>): this check catches what can be seen without DNS.
/// </summary>
public static class WebhookUrlPolicy
{
    public const int MaxLength = 2048;

    public static void Validate(string? url, bool allowLoopback, ValidationErrors errors, string field = "url")
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(url))
        {
            errors.Add(field, "is required.");
            return;
        }

        if (url.Length > MaxLength)
        {
            errors.Add(field, $"must be at most {MaxLength} characters.");
            return;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || string.IsNullOrEmpty(uri.Host))
        {
            errors.Add(field, "must be an absolute https URL.");
            return;
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            errors.Add(field, "must not contain a user name or password; use custom headers for credentials.");
        }

        if (!string.IsNullOrEmpty(uri.Fragment))
        {
            errors.Add(field, "must not contain a fragment (#...).");
        }

        var host = NormalizedHost(uri);
        var loopbackHost = IsLoopbackName(host);
        var literal = ParseAddress(host);
        if (uri.Scheme == "http" && !(allowLoopback && (loopbackHost || (literal is not null && WebhookAddressPolicy.Classify(literal) == WebhookAddressKind.Loopback))))
        {
            errors.Add(field, "must use https.");
        }

        if (literal is not null)
        {
            if (!WebhookAddressPolicy.IsAllowed(literal, allowLoopback))
            {
                errors.Add(field, $"points at a {Describe(WebhookAddressPolicy.Classify(literal))} address, which webhooks are never sent to.");
            }
        }
        else if (loopbackHost)
        {
            if (!allowLoopback)
            {
                errors.Add(field, "points at this machine (localhost), which webhooks are never sent to.");
            }
        }
        else if (!host.Contains('.', StringComparison.Ordinal) || host.EndsWith(".local", StringComparison.Ordinal)
            || host.EndsWith(".internal", StringComparison.Ordinal))
        {
            errors.Add(field, "must name a public host (a fully qualified domain name).");
        }
    }

    /// <summary>
    /// The host as a resolver would see it: IDNA-mapped (so full-width or other look-alike letters become ASCII),
    /// lower case, without brackets and without the trailing dots of an absolute name (<c>localhost.</c>, <c>127.0.0.1.</c>).
    /// </summary>
    internal static string NormalizedHost(Uri uri) => uri.IdnHost.Trim('[', ']').TrimEnd('.').ToLowerInvariant();

    /// <summary>
    /// Any way of writing an IP address that a resolver or socket library accepts: dotted, shortened (<c>127.1</c>),
    /// one number (<c>2130706433</c>), hexadecimal or octal parts (<c>0x7f000001</c>, <c>0177.0.0.1</c>), IPv6 and IPv4-mapped IPv6.
    /// </summary>
    internal static IPAddress? ParseAddress(string host) =>
        IPAddress.TryParse(host, out var address) ? address : null;

    internal static bool IsLoopbackName(string host) =>
        host == "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal);

    internal static bool IsLoopbackHost(Uri uri) =>
        uri.IsLoopback || IsLoopbackName(NormalizedHost(uri))
        || (ParseAddress(NormalizedHost(uri)) is { } address && WebhookAddressPolicy.Classify(address) == WebhookAddressKind.Loopback);

    internal static string Describe(WebhookAddressKind kind) => kind switch
    {
        WebhookAddressKind.Unspecified => "unspecified",
        WebhookAddressKind.Loopback => "loopback",
        WebhookAddressKind.Private => "private",
        WebhookAddressKind.SharedAddressSpace => "carrier-grade NAT",
        WebhookAddressKind.LinkLocal => "link-local",
        WebhookAddressKind.UniqueLocal => "unique local",
        WebhookAddressKind.SiteLocal => "site-local",
        WebhookAddressKind.Multicast => "multicast",
        WebhookAddressKind.Broadcast => "broadcast",
        WebhookAddressKind.Documentation => "documentation",
        WebhookAddressKind.Reserved => "reserved",
        _ => "public",
    };
}
