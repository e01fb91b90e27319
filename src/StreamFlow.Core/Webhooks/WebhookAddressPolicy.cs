using System.Net;
using System.Net.Sockets;

namespace StreamFlow.Core.Webhooks;

/// <summary>What kind of network an address belongs to, as far as sending webhooks there is concerned.</summary>
public enum WebhookAddressKind
{
    Public,
    Unspecified,
    Loopback,
    Private,
    SharedAddressSpace,
    LinkLocal,
    UniqueLocal,
    SiteLocal,
    Multicast,
    Broadcast,
    Documentation,
    Reserved,
}

/// <summary>
/// Decides which IP addresses webhooks may be sent to: public unicast only, plus loopback when a development
/// deployment allows it. IPv4 addresses embedded in IPv6 (mapped, NAT64, 6to4) are judged as the IPv4 address.
/// </summary>
public static class WebhookAddressPolicy
{
    private static readonly (IPNetwork Network, WebhookAddressKind Kind)[] V4Ranges =
    [
        (IPNetwork.Parse("0.0.0.0/8"), WebhookAddressKind.Unspecified),
        (IPNetwork.Parse("10.0.0.0/8"), WebhookAddressKind.Private),
        (IPNetwork.Parse("100.64.0.0/10"), WebhookAddressKind.SharedAddressSpace),
        (IPNetwork.Parse("127.0.0.0/8"), WebhookAddressKind.Loopback),
        (IPNetwork.Parse("169.254.0.0/16"), WebhookAddressKind.LinkLocal),
        (IPNetwork.Parse("172.16.0.0/12"), WebhookAddressKind.Private),
        (IPNetwork.Parse("192.0.0.0/24"), WebhookAddressKind.Reserved),
        (IPNetwork.Parse("192.0.2.0/24"), WebhookAddressKind.Documentation),
        (IPNetwork.Parse("192.88.99.0/24"), WebhookAddressKind.Reserved),
        (IPNetwork.Parse("192.168.0.0/16"), WebhookAddressKind.Private),
        (IPNetwork.Parse("198.18.0.0/15"), WebhookAddressKind.Reserved),
        (IPNetwork.Parse("198.51.100.0/24"), WebhookAddressKind.Documentation),
        (IPNetwork.Parse("203.0.113.0/24"), WebhookAddressKind.Documentation),
        (IPNetwork.Parse("224.0.0.0/4"), WebhookAddressKind.Multicast),
        (IPNetwork.Parse("255.255.255.255/32"), WebhookAddressKind.Broadcast),
        (IPNetwork.Parse("240.0.0.0/4"), WebhookAddressKind.Reserved),
    ];

    private static readonly (IPNetwork Network, WebhookAddressKind Kind)[] V6Ranges =
    [
        (IPNetwork.Parse("::/128"), WebhookAddressKind.Unspecified),
        (IPNetwork.Parse("::1/128"), WebhookAddressKind.Loopback),
        (IPNetwork.Parse("::/96"), WebhookAddressKind.Reserved),
        (IPNetwork.Parse("64:ff9b:1::/48"), WebhookAddressKind.Private),
        (IPNetwork.Parse("100::/64"), WebhookAddressKind.Reserved),
        (IPNetwork.Parse("2001::/23"), WebhookAddressKind.Reserved),
        (IPNetwork.Parse("2001:db8::/32"), WebhookAddressKind.Documentation),
        (IPNetwork.Parse("3fff::/20"), WebhookAddressKind.Documentation),
        (IPNetwork.Parse("fc00::/7"), WebhookAddressKind.UniqueLocal),
        (IPNetwork.Parse("fe80::/10"), WebhookAddressKind.LinkLocal),
        (IPNetwork.Parse("fec0::/10"), WebhookAddressKind.SiteLocal),
        (IPNetwork.Parse("ff00::/8"), WebhookAddressKind.Multicast),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    public static WebhookAddressKind Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.IsIPv4MappedToIPv6)
            {
                return Classify(address.MapToIPv4());
            }

            var bytes = address.GetAddressBytes();
            if (Nat64.Contains(address))
            {
                return Classify(new IPAddress(bytes.AsSpan(12, 4)));
            }

            if (SixToFour.Contains(address))
            {
                return Classify(new IPAddress(bytes.AsSpan(2, 4)));
            }

            return Match(V6Ranges, WithoutScope(address));
        }

        return address.AddressFamily == AddressFamily.InterNetwork ? Match(V4Ranges, address) : WebhookAddressKind.Reserved;
    }

    /// <summary>Public addresses always; loopback only when <paramref name="allowLoopback"/>.</summary>
    public static bool IsAllowed(IPAddress address, bool allowLoopback)
    {
        var kind = Classify(address);
        return kind == WebhookAddressKind.Public || (allowLoopback && kind == WebhookAddressKind.Loopback);
    }

    private static WebhookAddressKind Match((IPNetwork Network, WebhookAddressKind Kind)[] ranges, IPAddress address)
    {
        foreach (var (network, kind) in ranges)
        {
            if (network.Contains(address))
            {
                return kind;
            }
        }

        return WebhookAddressKind.Public;
    }

    private static IPAddress WithoutScope(IPAddress address) =>
        address.ScopeId == 0 ? address : new IPAddress(address.GetAddressBytes());
}
