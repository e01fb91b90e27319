using System.Net;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.UnitTests.Webhooks;

public sealed class WebhookAddressPolicyTests
{
    [Theory]
    [InlineData("93.184.216.34", WebhookAddressKind.Public)]
    [InlineData("8.8.8.8", WebhookAddressKind.Public)]
    [InlineData("2606:4700:4700::1111", WebhookAddressKind.Public)]
    [InlineData("0.0.0.0", WebhookAddressKind.Unspecified)]
    [InlineData("::", WebhookAddressKind.Unspecified)]
    [InlineData("127.0.0.1", WebhookAddressKind.Loopback)]
    [InlineData("127.255.0.9", WebhookAddressKind.Loopback)]
    [InlineData("::1", WebhookAddressKind.Loopback)]
    [InlineData("10.0.0.1", WebhookAddressKind.Private)]
    [InlineData("10.255.255.255", WebhookAddressKind.Private)]
    [InlineData("172.16.0.1", WebhookAddressKind.Private)]
    [InlineData("172.31.255.254", WebhookAddressKind.Private)]
    [InlineData("172.32.0.1", WebhookAddressKind.Public)]
    [InlineData("192.168.1.1", WebhookAddressKind.Private)]
    [InlineData("100.64.0.1", WebhookAddressKind.SharedAddressSpace)]
    [InlineData("100.127.255.254", WebhookAddressKind.SharedAddressSpace)]
    [InlineData("100.128.0.1", WebhookAddressKind.Public)]
    [InlineData("169.254.169.254", WebhookAddressKind.LinkLocal)]
    [InlineData("169.254.0.1", WebhookAddressKind.LinkLocal)]
    [InlineData("224.0.0.1", WebhookAddressKind.Multicast)]
    [InlineData("239.255.255.250", WebhookAddressKind.Multicast)]
    [InlineData("255.255.255.255", WebhookAddressKind.Broadcast)]
    [InlineData("240.0.0.1", WebhookAddressKind.Reserved)]
    [InlineData("192.0.2.10", WebhookAddressKind.Documentation)]
    [InlineData("198.18.0.1", WebhookAddressKind.Reserved)]
    [InlineData("fc00::1", WebhookAddressKind.UniqueLocal)]
    [InlineData("fd00::1", WebhookAddressKind.UniqueLocal)]
    [InlineData("fd00:ec2::254", WebhookAddressKind.UniqueLocal)]
    [InlineData("fe80::1", WebhookAddressKind.LinkLocal)]
    [InlineData("fe80::1%2", WebhookAddressKind.LinkLocal)]
    [InlineData("febf::1", WebhookAddressKind.LinkLocal)]
    [InlineData("ff02::1", WebhookAddressKind.Multicast)]
    [InlineData("2001:db8::1", WebhookAddressKind.Documentation)]
    [InlineData("::ffff:127.0.0.1", WebhookAddressKind.Loopback)]
    [InlineData("::ffff:10.1.2.3", WebhookAddressKind.Private)]
    [InlineData("::ffff:169.254.169.254", WebhookAddressKind.LinkLocal)]
    [InlineData("::ffff:192.168.0.1", WebhookAddressKind.Private)]
    [InlineData("::ffff:100.64.0.1", WebhookAddressKind.SharedAddressSpace)]
    [InlineData("::ffff:8.8.8.8", WebhookAddressKind.Public)]
    [InlineData("64:ff9b::a9fe:a9fe", WebhookAddressKind.LinkLocal)]
    [InlineData("64:ff9b::808:808", WebhookAddressKind.Public)]
    [InlineData("2002:7f00:1::1", WebhookAddressKind.Loopback)]
    [InlineData("2002:0a00:0001::1", WebhookAddressKind.Private)]
    [InlineData("::127.0.0.1", WebhookAddressKind.Reserved)]
    public void Addresses_are_classified_by_their_range(string address, WebhookAddressKind expected)
    {
        Assert.Equal(expected, WebhookAddressPolicy.Classify(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("127.0.0.1", false, false)]
    [InlineData("127.0.0.1", true, true)]
    [InlineData("::1", true, true)]
    [InlineData("::ffff:127.0.0.1", true, true)]
    [InlineData("10.0.0.1", true, false)]
    [InlineData("169.254.169.254", true, false)]
    [InlineData("fd00::1", true, false)]
    [InlineData("93.184.216.34", false, true)]
    public void Only_public_addresses_are_allowed_and_loopback_only_by_setting(string address, bool allowLoopback, bool allowed)
    {
        Assert.Equal(allowed, WebhookAddressPolicy.IsAllowed(IPAddress.Parse(address), allowLoopback));
    }
}
