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

        var loopbackHost = IsLoopbackHost(uri);
        if (uri.Scheme == "http" && !(allowLoopback && loopbackHost))
        {
            errors.Add(field, "must use https.");
        }

        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            var address = IPAddress.Parse(uri.IdnHost.Trim('[', ']'));
            if (!WebhookAddressPolicy.IsAllowed(address, allowLoopback))
            {
                errors.Add(field, $"points at a {Describe(WebhookAddressPolicy.Classify(address))} address, which webhooks are never sent to.");
            }
        }
        else if (loopbackHost)
        {
            if (!allowLoopback)
            {
                errors.Add(field, "points at this machine (localhost), which webhooks are never sent to.");
            }
        }
        else if (!uri.IdnHost.Contains('.', StringComparison.Ordinal) || uri.IdnHost.EndsWith(".local", StringComparison.OrdinalIgnoreCase)
            || uri.IdnHost.EndsWith(".internal", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(field, "must name a public host (a fully qualified domain name).");
        }
    }

    internal static bool IsLoopbackHost(Uri uri) =>
        uri.IsLoopback
        || string.Equals(uri.IdnHost, "localhost", StringComparison.OrdinalIgnoreCase)
        || uri.IdnHost.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);

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
