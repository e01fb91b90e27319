using Microsoft.Extensions.Options;
using StreamFlow.Core.Webhooks;

namespace StreamFlow.IntegrationTests.Webhooks;

/// <summary>The safe sender against a real socket on 127.0.0.1: what is refused never reaches it.</summary>
public sealed class WebhookSafetyTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task A_host_name_that_resolves_to_loopback_is_refused_when_loopback_is_not_allowed()
    {
        using var sender = Sender(allowLoopback: false);
        var url = new Uri(_receiver.Url("ok").Replace("http://127.0.0.1", "https://localhost", StringComparison.Ordinal));

        var result = await sender.PostAsync(url, [], "{}"u8.ToArray(), CancellationToken.None);

        Assert.True(result.AddressRefused);
        Assert.Null(result.StatusCode);
        Assert.Contains("loopback", result.Error, StringComparison.Ordinal);
        Assert.Empty(_receiver.Received);
    }

    [Fact]
    public async Task A_loopback_ip_literal_is_refused_when_loopback_is_not_allowed()
    {
        using var sender = Sender(allowLoopback: false);

        var result = await sender.PostAsync(new Uri(_receiver.Url("ok").Replace("http://", "https://", StringComparison.Ordinal)), [], "{}"u8.ToArray(), CancellationToken.None);

        Assert.True(result.AddressRefused);
        Assert.Empty(_receiver.Received);
    }

    [Fact]
    public async Task Plain_http_is_refused_unless_development_allows_loopback()
    {
        using var strict = Sender(allowLoopback: false);
        using var development = Sender(allowLoopback: true);
        var url = new Uri(_receiver.Url("ok"));

        var refused = await strict.PostAsync(url, [], "{}"u8.ToArray(), CancellationToken.None);
        var sent = await development.PostAsync(url, [], "{}"u8.ToArray(), CancellationToken.None);

        Assert.True(refused.AddressRefused);
        Assert.Equal(200, sent.StatusCode);
        Assert.Single(_receiver.Received);
    }

    [Fact]
    public async Task A_host_name_that_does_not_resolve_is_a_failed_attempt_not_an_exception()
    {
        using var sender = Sender(allowLoopback: true);

        var result = await sender.PostAsync(new Uri("https://no-such-host.invalid/hook"), [], "{}"u8.ToArray(), CancellationToken.None);

        Assert.Null(result.StatusCode);
        Assert.False(result.Succeeded);
        Assert.NotNull(result.Error);
    }

    private static WebhookHttpSender Sender(bool allowLoopback) =>
        new(Options.Create(new WebhookOptions { AllowLoopbackForDevelopment = allowLoopback, AttemptTimeout = TimeSpan.FromSeconds(5) }));
}
