using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace StreamFlow.IntegrationTests.Webhooks;

/// <summary>A request the receiver got, with the headers a verifier needs and the raw body.</summary>
internal sealed record ReceivedWebhook(string Path, int Call, IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset ReceivedAt)
{
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";
}

/// <summary>
/// A webhook receiver on 127.0.0.1 whose behaviour is chosen by the first path segment; the second segment makes each
/// test's counters its own: /ok/x, /fail-once/x (500 then 200), /fail/x, /gone/x (410), /busy/x (503 + Retry-After: 3,
/// then 200), /redirect/x (302), /hang/x (never answers), /huge/x (200 with 4 MB).
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public IReadOnlyList<ReceivedWebhook> Received => _received.ToArray();

    public string Url(string scenario) => $"{BaseUrl}/{scenario}/{Guid.NewGuid():N}";

    public IReadOnlyList<ReceivedWebhook> ReceivedAt(string url) => Received.Where(r => url.EndsWith(r.Path, StringComparison.Ordinal)).OrderBy(r => r.Call).ToList();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{scenario}/{id}", receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseUrl = address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context, string scenario, string id)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var path = $"/{scenario}/{id}";
        var call = _calls.AddOrUpdate(path, 1, (_, n) => n + 1);
        _received.Enqueue(new ReceivedWebhook(
            path, call, context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), body.ToArray(), DateTimeOffset.UtcNow));

        var response = context.Response;
        switch (scenario)
        {
            case "ok":
                await response.WriteAsync("thanks", context.RequestAborted);
                break;
            case "fail-once":
                response.StatusCode = call == 1 ? 500 : 200;
                await response.WriteAsync(call == 1 ? "boom" : "thanks", context.RequestAborted);
                break;
            case "fail":
                response.StatusCode = 500;
                await response.WriteAsync("still broken", context.RequestAborted);
                break;
            case "gone":
                response.StatusCode = 410;
                break;
            case "busy":
                response.StatusCode = call == 1 ? 503 : 200;
                if (call == 1)
                {
                    response.Headers.RetryAfter = "3";
                }

                break;
            case "redirect":
                response.StatusCode = 302;
                response.Headers.Location = $"/ok/{id}";
                break;
            case "hang":
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                break;
            case "huge":
                var chunk = new byte[64 * 1024];
                Array.Fill(chunk, (byte)'x');
                for (var i = 0; i < 64 && !context.RequestAborted.IsCancellationRequested; i++)
                {
                    await response.Body.WriteAsync(chunk, context.RequestAborted).AsTask().ContinueWith(_ => { }, TaskScheduler.Default);
                }

                break;
            default:
                response.StatusCode = 404;
                break;
        }
    }
}
