using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;

namespace StreamFlow.Core.Webhooks;

/// <summary>What one POST to an endpoint came to. <see cref="StatusCode"/> is null when no response arrived.</summary>
public sealed record WebhookHttpResult(
    int? StatusCode,
    TimeSpan Duration,
    string? ResponseBodyPrefix,
    string? RetryAfter,
    string? Error,
    bool AddressRefused = false)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;
}

/// <summary>Raised inside the connect step when a host resolves to no address webhooks may be sent to.</summary>
internal sealed class WebhookAddressRefusedException(string message) : IOException(message);

/// <summary>
/// The only way webhooks leave StreamFlow. The socket handler resolves the host itself, drops every address the
/// <see cref="WebhookAddressPolicy"/> refuses and connects to exactly an address it checked, so a DNS answer cannot
/// change between the check and the connection. No proxy, no cookies, no redirects (a 3xx is a failed attempt),
/// a hard time limit per attempt, and at most <see cref="WebhookOptions.MaxResponseBodyBytes"/> of a response read.
/// </summary>
public sealed class WebhookHttpSender : IDisposable
{
    public const int LoggedBodyBytes = 1024;
    public const string UserAgent = "StreamFlow-Webhooks/1.0";

    private readonly WebhookOptions _options;
    private readonly HttpClient _client;

    private readonly IWebhookHostResolver _resolver;

    public WebhookHttpSender(IOptions<WebhookOptions> options, IWebhookHostResolver? resolver = null)
    {
        _options = options.Value;
        _resolver = resolver ?? DnsWebhookHostResolver.Instance;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            // Pooled connections stay pinned to an address that was checked; recycling them bounds how long.
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            MaxResponseHeadersLength = 64,
            MaxConnectionsPerServer = 32,
            ConnectCallback = ConnectAsync,
        };
        _client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
    }

    public async Task<WebhookHttpResult> PostAsync(Uri url, IReadOnlyList<KeyValuePair<string, string>> headers, byte[] body, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (url.Scheme == Uri.UriSchemeHttp && !(_options.AllowLoopbackForDevelopment && WebhookUrlPolicy.IsLoopbackHost(url)))
        {
            return new WebhookHttpResult(null, TimeSpan.Zero, null, null, "Plain http is refused: webhook URLs must use https.", AddressRefused: true);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.AttemptTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new WebhookHttpResult(null, Stopwatch.GetElapsedTime(started), null, null,
                $"No response within {_options.AttemptTimeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException exception)
        {
            var refused = FindRefusal(exception);
            return new WebhookHttpResult(null, Stopwatch.GetElapsedTime(started), null, null,
                refused?.Message ?? Describe(exception), AddressRefused: refused is not null);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var bodyPrefix = await ReadBodyPrefixAsync(response, timeout.Token);
            var retryAfter = response.Headers.TryGetValues("Retry-After", out var values) ? values.FirstOrDefault() : null;
            string? error = status is >= 300 and < 400 ? "Redirects are not followed." : null;
            return new WebhookHttpResult(status, Stopwatch.GetElapsedTime(started), bodyPrefix, retryAfter, error);
        }
    }

    public void Dispose() => _client.Dispose();

    // Reads at most MaxResponseBodyBytes, keeps the first LoggedBodyBytes. A body that is too slow or too long
    // does not change the outcome, which the status already decided.
    private async Task<string?> ReadBodyPrefixAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var kept = new byte[LoggedBodyBytes];
        var keptLength = 0;
        var buffer = new byte[8192];
        var total = 0;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            while (total < _options.MaxResponseBodyBytes)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, _options.MaxResponseBodyBytes - total)), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                var keep = Math.Min(read, LoggedBodyBytes - keptLength);
                buffer.AsSpan(0, keep).CopyTo(kept.AsSpan(keptLength));
                keptLength += keep;
                total += read;
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or HttpRequestException)
        {
            // Keep what arrived.
        }

        return keptLength == 0 ? null : ToLoggableText(kept.AsSpan(0, keptLength));
    }

    /// <summary>Valid UTF-8 of at most <see cref="LoggedBodyBytes"/> bytes, without NUL (which PostgreSQL text refuses).</summary>
    internal static string ToLoggableText(ReadOnlySpan<byte> bytes)
    {
        var text = Encoding.UTF8.GetString(bytes).Replace('\0', '\uFFFD');
        while (Encoding.UTF8.GetByteCount(text) > LoggedBodyBytes)
        {
            text = text[..^1];
        }

        return text;
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await _resolver.ResolveAsync(host, cancellationToken);
        var allowLoopback = _options.AllowLoopbackForDevelopment;
        var plainHttp = context.InitialRequestMessage.RequestUri?.Scheme == Uri.UriSchemeHttp;
        var allowed = addresses
            .Where(address => WebhookAddressPolicy.IsAllowed(address, allowLoopback)
                && (!plainHttp || WebhookAddressPolicy.Classify(address) == WebhookAddressKind.Loopback))
            .ToList();
        if (allowed.Count == 0)
        {
            var kinds = addresses.Select(a => WebhookUrlPolicy.Describe(WebhookAddressPolicy.Classify(a))).Distinct();
            throw new WebhookAddressRefusedException(addresses.Length == 0
                ? "The host name did not resolve."
                : $"Refused: the host resolves only to addresses webhooks are never sent to ({string.Join(", ", kinds)}).");
        }

        Exception? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException exception)
            {
                socket.Dispose();
                last = exception;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }

    private static WebhookAddressRefusedException? FindRefusal(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is WebhookAddressRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }

    private static string Describe(HttpRequestException exception)
    {
        var socketError = (exception.InnerException as SocketException)?.SocketErrorCode;
        var text = socketError switch
        {
            SocketError.ConnectionRefused => "Connection refused.",
            SocketError.HostNotFound or SocketError.NoData => "The host name did not resolve.",
            SocketError.TimedOut => "The connection timed out.",
            _ => exception.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => "The host name did not resolve.",
                HttpRequestError.ConnectionError => "Could not connect.",
                HttpRequestError.SecureConnectionError => "The TLS handshake failed.",
                HttpRequestError.ResponseEnded => "The connection closed before a response arrived.",
                HttpRequestError.InvalidResponse => "The response was not valid HTTP.",
                HttpRequestError.ConfigurationLimitExceeded => "The response headers were too large.",
                _ => "The request failed.",
            },
        };
        return text;
    }
}

/// <summary>How the sender turns a host name into addresses; a seam so that tests can answer like a rebinding DNS server.</summary>
public interface IWebhookHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

internal sealed class DnsWebhookHostResolver : IWebhookHostResolver
{
    public static DnsWebhookHostResolver Instance { get; } = new();

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);
}
