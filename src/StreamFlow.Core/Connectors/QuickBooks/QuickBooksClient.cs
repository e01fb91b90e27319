using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Connections.OAuth;

namespace StreamFlow.Core.Connectors.QuickBooks;

/// <summary>A QuickBooks fault about one request (HTTP 400): its code (5010 stale object, 6240 duplicate name, ...) and message.</summary>
internal sealed class QuickBooksFaultException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;

    public bool IsStaleObject => Code == "5010";

    public bool IsDuplicateName => Code == "6240";
}

/// <summary>
/// Calls the QuickBooks Online Accounting API v3 as Intuit documents it: <c>{BaseUrl}/v3/company/{realmId}/{resource}</c>
/// with <c>minorversion</c> pinned, a bearer access token, JSON in and out, <c>requestid</c> on writes. 401 refreshes the
/// token and retries once; 429 (ThrottleExceeded) is a throttle with Retry-After; 5xx and bodies that are not JSON are the
/// vendor being unavailable; a 400 Fault is a <see cref="QuickBooksFaultException"/> about that one record.
/// </summary>
public sealed class QuickBooksClient(IOptions<QuickBooksOptions> options, OAuthTokenKeeper tokens, TimeProvider time) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = options.Value.Timeout };

    internal Task<JsonObject> GetAsync(ConnectorContext context, string resource, IReadOnlyList<(string Name, string Value)> query, CancellationToken cancellationToken) =>
        SendAsync(context, HttpMethod.Get, resource, query, null, cancellationToken);

    internal Task<JsonObject> PostAsync(ConnectorContext context, string resource, string requestId, JsonObject body, CancellationToken cancellationToken) =>
        SendAsync(context, HttpMethod.Post, resource, [("requestid", requestId)], body, cancellationToken);

    /// <summary>A POST with an <c>operation</c> (void, delete) on an existing entity, as Intuit documents them.</summary>
    internal Task<JsonObject> PostOperationAsync(ConnectorContext context, string resource, string operation, string requestId, JsonObject body, CancellationToken cancellationToken) =>
        SendAsync(context, HttpMethod.Post, resource, [("operation", operation), ("requestid", requestId)], body, cancellationToken);

    public void Dispose() => _http.Dispose();

    internal OAuthClientSettings OAuthClient() => new(options.Value.AuthorizationUrl, options.Value.TokenUrl, options.Value.ClientId,
        options.Value.ClientSecret, options.Value.RedirectUri, "com.intuit.quickbooks.accounting");

    private async Task<JsonObject> SendAsync(
        ConnectorContext context, HttpMethod method, string resource, IReadOnlyList<(string Name, string Value)> query, JsonObject? body, CancellationToken cancellationToken)
    {
        var realm = QuickBooksConnector.RealmId(context.Settings)
            ?? throw new ConnectorException(ConnectorFailure.Unauthorized, "The connection has not been authorized with a QuickBooks company yet; connect it first.");
        var url = new StringBuilder(options.Value.BaseUrl.TrimEnd('/')).Append("/v3/company/").Append(Uri.EscapeDataString(realm)).Append('/').Append(resource)
            .Append("?minorversion=").Append(Uri.EscapeDataString(options.Value.MinorVersion));
        foreach (var (name, value) in query)
        {
            url.Append('&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }

        var uri = new Uri(url.ToString());
        var client = OAuthClient();
        var token = await tokens.AccessTokenAsync(context, client, null, cancellationToken);
        var (status, text, retryAfter) = await SendOnceAsync(method, uri, body, token, cancellationToken);
        if (status == HttpStatusCode.Unauthorized)
        {
            token = await tokens.AccessTokenAsync(context, client, token, cancellationToken);
            (status, text, retryAfter) = await SendOnceAsync(method, uri, body, token, cancellationToken);
        }

        JsonObject? answer = null;
        try
        {
            answer = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
        }

        var fault = Fault(answer);
        switch ((int)status)
        {
            case >= 200 and < 300 when answer is not null && fault is null:
                return answer;
            case >= 200 and < 300:
                throw new ConnectorException(ConnectorFailure.Unavailable, fault is { } inBody
                    ? $"QuickBooks answered a fault: {inBody.Message}"
                    : "QuickBooks answered something that is not the documented JSON.");
            case 401:
                throw new ConnectorException(ConnectorFailure.Unauthorized, $"QuickBooks refused the access token after a refresh: {fault?.Message ?? "AuthenticationFailed"}");
            case 403:
                throw new ConnectorException(ConnectorFailure.Unauthorized, $"QuickBooks refused access to this company: {fault?.Message ?? "forbidden"}");
            case 429:
                throw new ConnectorException(ConnectorFailure.RateLimited, $"QuickBooks is throttling: {fault?.Message ?? "ThrottleExceeded"}", retryAfter ?? TimeSpan.FromSeconds(60));
            case >= 500:
                throw new ConnectorException(ConnectorFailure.Unavailable, $"QuickBooks failed ({(int)status}): {fault?.Message ?? Clip(text)}", retryAfter);
            case 400 when fault is not null:
                throw new QuickBooksFaultException(fault.Value.Code, fault.Value.Message);
            default:
                throw new ConnectorException(ConnectorFailure.InvalidRequest, $"QuickBooks answered {(int)status}: {fault?.Message ?? Clip(text)}");
        }
    }

    private async Task<(HttpStatusCode Status, string Body, TimeSpan? RetryAfter)> SendOnceAsync(
        HttpMethod method, Uri uri, JsonObject? body, string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return (response.StatusCode, text, RetryAfter(response));
        }
        catch (Exception exception) when (exception is HttpRequestException || exception is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ConnectorException(ConnectorFailure.Unavailable, "QuickBooks could not be reached or did not answer in time.", inner: exception);
        }
    }

    // Intuit writes Fault/Error/Message/Detail/code, and fault/error/message/detail for authentication failures.
    private static (string Code, string Message)? Fault(JsonObject? answer)
    {
        var fault = answer?.FirstOrDefault(p => p.Key.Equals("Fault", StringComparison.OrdinalIgnoreCase)).Value as JsonObject;
        var errors = fault?.FirstOrDefault(p => p.Key.Equals("Error", StringComparison.OrdinalIgnoreCase)).Value as JsonArray;
        if (errors is not { Count: > 0 } || errors[0] is not JsonObject first)
        {
            return null;
        }

        string? Read(string name) => first.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value?.ToString();
        var message = Read("Message") ?? "fault";
        return (Read("code") ?? "", Read("Detail") is { Length: > 0 } detail ? Clip($"{message}: {detail}") : Clip(message));
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? (date - time.GetUtcNow()) is { TotalSeconds: > 0 } wait ? wait : TimeSpan.Zero : null;
    }

    private static string Clip(string text) => text.Length > 300 ? text[..300] : text;

    internal static string Decimal(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
