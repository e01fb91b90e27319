using System.Net;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.IntegrationTests.Webhooks;

/// <summary>
/// DNS rebinding: a public-looking name that passed the save-time check resolves, at connection time, to a private
/// address. The sender checks what the resolver answered, so nothing reaches the receiver on loopback.
/// </summary>
public sealed class WebhookRebindingTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("169.254.169.254")]
    [InlineData("::ffff:127.0.0.1")]
    public async Task A_name_that_resolves_to_a_private_address_at_connect_time_is_refused(string rebound)
    {
        using var sender = new WebhookHttpSender(
            Options.Create(new WebhookOptions { AllowLoopbackForDevelopment = false, AttemptTimeout = TimeSpan.FromSeconds(5) }),
            new FixedResolver(IPAddress.Parse(rebound)));
        var port = new Uri(_receiver.Url("ok")).Port;

        var result = await sender.PostAsync(new Uri($"https://hooks.example.com:{port}/ok"), [], "{}"u8.ToArray(), CancellationToken.None);

        Assert.True(result.AddressRefused, result.Error);
        Assert.Empty(_receiver.Received);
    }

    private sealed class FixedResolver(IPAddress address) : IWebhookHostResolver
    {
        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Task.FromResult(new[] { address });
    }
}
