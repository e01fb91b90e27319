using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Connections.OAuth;

namespace StreamFlow.Core.Connectors.Adp;

/// <summary>
/// Calls ADP's APIs as documented: every call, the token request included, over mutual TLS with the tenant's certificate
/// (its own <see cref="HttpClient"/> per connection and certificate); a client-credentials token (client id and secret
/// as form fields) kept in memory per connection; <c>GET /hr/v2/workers</c> paged by <c>$top</c>/<c>$skip</c> (204 past
/// the end); pay data as a <c>POST /events/payroll/v1/pay-data-input.modify</c> event. A 401 gets a new token and
/// retries once.
/// </summary>
public sealed class AdpClient(IOptions<AdpOptions> options, OAuthTokenClient tokens, TimeProvider time) : IDisposable
{
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, OAuthTokenSet> _tokens = new();

    /// <summary>The tenant's certificate with its private key, from the PEM credentials <c>certificate</c> and <c>privateKey</c>.</summary>
    /// <exception cref="ConnectorException">Missing, unreadable, keyless or expired (Unauthorized: never retried).</exception>
    public static X509Certificate2 Certificate(IReadOnlyDictionary<string, string> credentials, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        if (credentials.GetValueOrDefault("certificate") is not { Length: > 0 } pem || credentials.GetValueOrDefault("privateKey") is not { Length: > 0 } key)
        {
            throw new ConnectorException(ConnectorFailure.Unauthorized, "The connection has no ADP client certificate and private key (PEM).");
        }

        X509Certificate2 loaded;
        try
        {
            using var fromPem = X509Certificate2.CreateFromPem(pem, key);
            // Keys read from PEM are ephemeral; a PKCS#12 round trip gives TLS a key it can use on every platform.
            loaded = X509CertificateLoader.LoadPkcs12(fromPem.Export(X509ContentType.Pkcs12), null);
        }
        catch (CryptographicException exception)
        {
            throw new ConnectorException(ConnectorFailure.Unauthorized, "The ADP client certificate or its private key is not valid PEM, or they do not match.", inner: exception);
        }

        if (now < loaded.NotBefore || now > loaded.NotAfter)
        {
            var notAfter = loaded.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            loaded.Dispose();
            throw new ConnectorException(ConnectorFailure.Unauthorized, $"The ADP client certificate is not valid now (it expires {notAfter}); upload a current one.");
        }

        return loaded;
    }

    internal async Task<IReadOnlyList<JsonElement>> WorkersAsync(ConnectorContext context, int skip, int top, CancellationToken cancellationToken)
    {
        var uri = new Uri($"{options.Value.BaseUrl.TrimEnd('/')}/hr/v2/workers?$top={top.ToString(CultureInfo.InvariantCulture)}&$skip={skip.ToString(CultureInfo.InvariantCulture)}");
        var (status, body) = await CallAsync(context, () => new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken);
        if (status == HttpStatusCode.NoContent || body.Length == 0)
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("workers", out var workers) && workers.ValueKind == JsonValueKind.Array
                ? workers.EnumerateArray().Select(w => w.Clone()).ToList()
                : throw new ConnectorException(ConnectorFailure.Unavailable, "ADP answered workers JSON without a workers array.");
        }
        catch (JsonException exception)
        {
            throw new ConnectorException(ConnectorFailure.Unavailable, "ADP answered something that is not the documented workers JSON.", inner: exception);
        }
    }

    /// <summary>Sends one pay data event; returns ADP's confirmation (the confirm message's request id or message id).</summary>
    internal async Task<string> SendPayDataAsync(ConnectorContext context, JsonObject payData, CancellationToken cancellationToken)
    {
        var uri = new Uri($"{options.Value.BaseUrl.TrimEnd('/')}/events/payroll/v1/pay-data-input.modify");
        var json = payData.ToJsonString();
        var (_, body) = await CallAsync(context, () => new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        }, cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(body);
            var confirm = document.RootElement.TryGetProperty("confirmMessage", out var message) ? message : default;
            var id = confirm.ValueKind == JsonValueKind.Object
                ? confirm.TryGetProperty("requestID", out var request) && request.ValueKind == JsonValueKind.String ? request.GetString()
                : confirm.TryGetProperty("confirmMessageID", out var messageId) && messageId.TryGetProperty("idValue", out var value) ? value.GetString() : null
                : null;
            return id is { Length: > 0 and <= 150 } ? id : throw new ConnectorException(ConnectorFailure.Unavailable, "ADP accepted the pay data without a confirmation id.");
        }
        catch (JsonException exception)
        {
            throw new ConnectorException(ConnectorFailure.Unavailable, "ADP answered the pay data with something that is not the documented JSON.", inner: exception);
        }
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }

    private async Task<(HttpStatusCode Status, string Body)> CallAsync(ConnectorContext context, Func<HttpRequestMessage> request, CancellationToken cancellationToken)
    {
        var http = Http(context);
        var token = await TokenAsync(context, http, fresh: false, cancellationToken);
        var (status, body, retryAfter) = await SendAsync(http, request, token, cancellationToken);
        if (status == HttpStatusCode.Unauthorized)
        {
            token = await TokenAsync(context, http, fresh: true, cancellationToken);
            (status, body, retryAfter) = await SendAsync(http, request, token, cancellationToken);
        }

        if ((int)status is >= 200 and < 300)
        {
            return (status, body);
        }

        var message = Message(body) ?? $"HTTP {(int)status}";
        throw (int)status switch
        {
            401 or 403 => new ConnectorException(ConnectorFailure.Unauthorized, $"ADP refused the credentials or certificate: {message}"),
            429 => new ConnectorException(ConnectorFailure.RateLimited, $"ADP is throttling: {message}", retryAfter ?? TimeSpan.FromSeconds(60)),
            >= 500 => new ConnectorException(ConnectorFailure.Unavailable, $"ADP failed ({(int)status}): {message}", retryAfter),
            _ => new ConnectorException(ConnectorFailure.InvalidRequest, $"ADP refused the request ({(int)status}): {message}"),
        };
    }

    private async Task<string> TokenAsync(ConnectorContext context, HttpClient http, bool fresh, CancellationToken cancellationToken)
    {
        if (!fresh && _tokens.TryGetValue(context.ConnectionId, out var cached) && cached.ExpiresAt - time.GetUtcNow() > TimeSpan.FromMinutes(1))
        {
            return cached.AccessToken;
        }

        var granted = await tokens.ClientCredentialsAsync(options.Value.TokenUrl, Credential(context, "clientId"), Credential(context, "clientSecret"), null, http,
            secretInBody: true, cancellationToken);
        _tokens[context.ConnectionId] = granted;
        return granted.AccessToken;
    }

    // One client per connection and certificate: a new certificate (renewed yearly) gets a new client with its own pool.
    private HttpClient Http(ConnectorContext context)
    {
        var certificate = Certificate(context.Credentials, time.GetUtcNow());
        var key = $"{context.ConnectionId:N}:{certificate.Thumbprint}";
        if (_clients.TryGetValue(key, out var existing))
        {
            certificate.Dispose();
            return existing;
        }

        var pinned = options.Value.PinnedServerCertificateSha256?.Replace(":", "", StringComparison.Ordinal).Trim();
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = new X509CertificateCollection { certificate },
                RemoteCertificateValidationCallback = string.IsNullOrEmpty(pinned)
                    ? null
                    : (_, server, _, _) => server is not null && CryptographicOperations.FixedTimeEquals(
                        Convert.FromHexString(pinned), SHA256.HashData(server.GetRawCertData())),
            },
        };
        var client = new HttpClient(handler, disposeHandler: true) { Timeout = options.Value.Timeout };
        return _clients.GetOrAdd(key, client) is var chosen && !ReferenceEquals(chosen, client) ? Dispose(client, chosen) : client;

        static HttpClient Dispose(HttpClient unused, HttpClient chosen)
        {
            unused.Dispose();
            return chosen;
        }
    }

    private static async Task<(HttpStatusCode Status, string Body, TimeSpan? RetryAfter)> SendAsync(
        HttpClient http, Func<HttpRequestMessage> build, string token, CancellationToken cancellationToken)
    {
        using var request = build();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken), response.Headers.RetryAfter?.Delta);
        }
        catch (Exception exception) when (exception is HttpRequestException || exception is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new AdpNoAnswerException("ADP could not be reached or did not answer in time.", exception);
        }
    }

    private static string Credential(ConnectorContext context, string name) =>
        context.Credentials.GetValueOrDefault(name) is { Length: > 0 } value
            ? value
            : throw new ConnectorException(ConnectorFailure.Unauthorized, $"The connection has no ADP {name}.");

    // ADP errors: { "confirmMessage": { "processMessages": [{ "userMessage": { "messageTxt" } }] } } or OAuth-style error_description.
    private static string? Message(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            string? text = null;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("confirmMessage", out var confirm) && confirm.ValueKind == JsonValueKind.Object
                && confirm.TryGetProperty("processMessages", out var messages) && messages.ValueKind == JsonValueKind.Array)
            {
                text = string.Join("; ", messages.EnumerateArray()
                    .Select(m => m.TryGetProperty("userMessage", out var user) && user.TryGetProperty("messageTxt", out var txt) ? txt.GetString() : null)
                    .Where(t => !string.IsNullOrWhiteSpace(t)));
            }
            else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error_description", out var description))
            {
                text = description.GetString();
            }

            return text is { Length: > 300 } ? text[..300] : string.IsNullOrEmpty(text) ? null : text;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// No answer at all (a connection failure or timeout): for a read, the vendor is unavailable; for pay data it is unknown
/// whether ADP recorded it, so the claim stays and nothing is sent again automatically.
/// </summary>
internal sealed class AdpNoAnswerException(string message, Exception inner) : Exception(message, inner);
