using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Connections.OAuth;

namespace StreamFlow.Core.Connectors.ServiceTitan;

/// <summary>One page of a ServiceTitan list: <c>page</c>, <c>pageSize</c>, <c>hasMore</c> and <c>data</c>.</summary>
internal sealed record ServiceTitanPage(
    [property: JsonPropertyName("page")] int Page,
    [property: JsonPropertyName("pageSize")] int PageSize,
    [property: JsonPropertyName("hasMore")] bool HasMore,
    [property: JsonPropertyName("data")] IReadOnlyList<JsonElement>? Data);

/// <summary>
/// Calls ServiceTitan's tenant-scoped v2 APIs as documented: a client-credentials token from the auth host (client id and
/// secret as form fields), then <c>Authorization: Bearer</c> plus the app's <c>ST-App-Key</c> header on every call; lists
/// paged by <c>page</c>/<c>pageSize</c> until <c>hasMore</c> is false, increments by <c>modifiedOnOrAfter</c>. Tokens
/// (15 minutes) are kept in memory per connection only; a 401 fetches a new one and retries once.
/// </summary>
public sealed class ServiceTitanClient(IOptions<ServiceTitanOptions> options, OAuthTokenClient tokens, TimeProvider time) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = options.Value.Timeout };
    private readonly ConcurrentDictionary<Guid, OAuthTokenSet> _tokens = new();

    internal async Task<ServiceTitanPage> ListAsync(
        ConnectorContext context, string path, int page, int pageSize, DateTimeOffset? modifiedOnOrAfter, CancellationToken cancellationToken)
    {
        var tenant = ServiceTitanConnector.TenantId(context.Settings) ?? throw new ConnectorException(ConnectorFailure.InvalidRequest, "The connection has no ServiceTitan tenant id.");
        var url = new StringBuilder(options.Value.BaseUrl.TrimEnd('/')).Append('/').Append(path.Replace("{tenant}", Uri.EscapeDataString(tenant), StringComparison.Ordinal))
            .Append("?page=").Append(page.ToString(CultureInfo.InvariantCulture)).Append("&pageSize=").Append(pageSize.ToString(CultureInfo.InvariantCulture));
        if (modifiedOnOrAfter is { } since)
        {
            url.Append("&modifiedOnOrAfter=").Append(Uri.EscapeDataString(since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
        }

        var uri = new Uri(url.ToString());
        var token = await TokenAsync(context, fresh: false, cancellationToken);
        var (status, body, retryAfter) = await SendAsync(context, uri, token, cancellationToken);
        if (status == HttpStatusCode.Unauthorized)
        {
            token = await TokenAsync(context, fresh: true, cancellationToken);
            (status, body, retryAfter) = await SendAsync(context, uri, token, cancellationToken);
        }

        if ((int)status is >= 200 and < 300)
        {
            try
            {
                return JsonSerializer.Deserialize<ServiceTitanPage>(body) is { Data: not null } parsed
                    ? parsed
                    : throw new ConnectorException(ConnectorFailure.Unavailable, "ServiceTitan answered JSON without data.");
            }
            catch (JsonException exception)
            {
                throw new ConnectorException(ConnectorFailure.Unavailable, "ServiceTitan answered something that is not the documented JSON.", inner: exception);
            }
        }

        var message = Message(body) ?? $"HTTP {(int)status}";
        throw (int)status switch
        {
            401 or 403 => new ConnectorException(ConnectorFailure.Unauthorized, $"ServiceTitan refused the credentials or app key: {message}"),
            429 => new ConnectorException(ConnectorFailure.RateLimited, $"ServiceTitan is throttling: {message}", retryAfter ?? TimeSpan.FromSeconds(60)),
            >= 500 => new ConnectorException(ConnectorFailure.Unavailable, $"ServiceTitan failed ({(int)status}): {message}", retryAfter),
            _ => new ConnectorException(ConnectorFailure.InvalidRequest, $"ServiceTitan refused the request ({(int)status}): {message}"),
        };
    }

    /// <summary>
    /// The booking this provider created with <paramref name="externalId"/>, if any
    /// (<c>GET /crm/v2/tenant/{tenant}/booking-provider/{provider}/bookings?externalId=</c>): how a create whose answer was lost is found.
    /// </summary>
    internal async Task<long?> FindBookingAsync(ConnectorContext context, string providerId, string externalId, CancellationToken cancellationToken)
    {
        var uri = new Uri($"{BookingsUrl(context, providerId)}?externalId={Uri.EscapeDataString(externalId)}&page=1&pageSize=1");
        var body = await CallAsync(context, () => new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken);
        try
        {
            return JsonSerializer.Deserialize<ServiceTitanPage>(body) is { Data: { Count: > 0 } data } && data[0].TryGetProperty("id", out var id) && id.TryGetInt64(out var found)
                ? found
                : null;
        }
        catch (JsonException exception)
        {
            throw new ConnectorException(ConnectorFailure.Unavailable, "ServiceTitan answered something that is not the documented JSON.", inner: exception);
        }
    }

    /// <summary>Creates a booking for the booking provider (<c>POST /crm/v2/tenant/{tenant}/booking-provider/{provider}/bookings</c>); returns its id.</summary>
    internal async Task<long> CreateBookingAsync(ConnectorContext context, string providerId, System.Text.Json.Nodes.JsonObject booking, CancellationToken cancellationToken)
    {
        var uri = new Uri(BookingsUrl(context, providerId));
        var json = booking.ToJsonString();
        var body = await CallAsync(context, () => new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(json, Encoding.UTF8, "application/json") },
            cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("id", out var id) && id.TryGetInt64(out var created)
                ? created
                : throw new ConnectorException(ConnectorFailure.Unavailable, "ServiceTitan created the booking without answering its id.");
        }
        catch (JsonException exception)
        {
            throw new ConnectorException(ConnectorFailure.Unavailable, "ServiceTitan answered something that is not the documented JSON.", inner: exception);
        }
    }

    /// <summary>Changes a booking (PATCH …/bookings/{id}: the fields sent replace ServiceTitan's; contacts are not part of it).</summary>
    internal async Task UpdateBookingAsync(ConnectorContext context, string providerId, string bookingId, System.Text.Json.Nodes.JsonObject changes, CancellationToken cancellationToken)
    {
        var uri = new Uri($"{BookingsUrl(context, providerId)}/{Uri.EscapeDataString(bookingId)}");
        var json = changes.ToJsonString();
        await CallAsync(context, () => new HttpRequestMessage(HttpMethod.Patch, uri) { Content = new StringContent(json, Encoding.UTF8, "application/json") }, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private string BookingsUrl(ConnectorContext context, string providerId)
    {
        var tenant = ServiceTitanConnector.TenantId(context.Settings) ?? throw new ConnectorException(ConnectorFailure.InvalidRequest, "The connection has no ServiceTitan tenant id.");
        return $"{options.Value.BaseUrl.TrimEnd('/')}/crm/v2/tenant/{Uri.EscapeDataString(tenant)}/booking-provider/{Uri.EscapeDataString(providerId)}/bookings";
    }

    // One call with the token, a new token and one retry on 401, and the documented errors mapped to connector failures.
    private async Task<string> CallAsync(ConnectorContext context, Func<HttpRequestMessage> build, CancellationToken cancellationToken)
    {
        var token = await TokenAsync(context, fresh: false, cancellationToken);
        var (status, body, retryAfter) = await SendAsync(context, build, token, cancellationToken);
        if (status == HttpStatusCode.Unauthorized)
        {
            token = await TokenAsync(context, fresh: true, cancellationToken);
            (status, body, retryAfter) = await SendAsync(context, build, token, cancellationToken);
        }

        if ((int)status is >= 200 and < 300)
        {
            return body;
        }

        var message = Message(body) ?? $"HTTP {(int)status}";
        throw (int)status switch
        {
            401 or 403 => new ConnectorException(ConnectorFailure.Unauthorized, $"ServiceTitan refused the credentials or app key: {message}"),
            429 => new ConnectorException(ConnectorFailure.RateLimited, $"ServiceTitan is throttling: {message}", retryAfter ?? TimeSpan.FromSeconds(60)),
            >= 500 => new ConnectorException(ConnectorFailure.Unavailable, $"ServiceTitan failed ({(int)status}): {message}", retryAfter),
            _ => new ConnectorException(ConnectorFailure.InvalidRequest, $"ServiceTitan refused the request ({(int)status}): {message}"),
        };
    }

    private async Task<(HttpStatusCode Status, string Body, TimeSpan? RetryAfter)> SendAsync(
        ConnectorContext context, Func<HttpRequestMessage> build, string token, CancellationToken cancellationToken)
    {
        using var request = build();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("ST-App-Key", Credential(context, "appKey"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken), response.Headers.RetryAfter?.Delta);
        }
        catch (Exception exception) when (exception is HttpRequestException || exception is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ConnectorException(ConnectorFailure.Unavailable, "ServiceTitan could not be reached or did not answer in time.", inner: exception);
        }
    }

    private async Task<string> TokenAsync(ConnectorContext context, bool fresh, CancellationToken cancellationToken)
    {
        if (!fresh && _tokens.TryGetValue(context.ConnectionId, out var cached) && cached.ExpiresAt - time.GetUtcNow() > TimeSpan.FromMinutes(1))
        {
            return cached.AccessToken;
        }

        var granted = await tokens.ClientCredentialsAsync(options.Value.TokenUrl, Credential(context, "clientId"), Credential(context, "clientSecret"), null, null,
            secretInBody: true, cancellationToken);
        _tokens[context.ConnectionId] = granted;
        return granted.AccessToken;
    }

    private async Task<(HttpStatusCode Status, string Body, TimeSpan? RetryAfter)> SendAsync(ConnectorContext context, Uri uri, string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("ST-App-Key", Credential(context, "appKey"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken), response.Headers.RetryAfter?.Delta);
        }
        catch (Exception exception) when (exception is HttpRequestException || exception is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ConnectorException(ConnectorFailure.Unavailable, "ServiceTitan could not be reached or did not answer in time.", inner: exception);
        }
    }

    private static string Credential(ConnectorContext context, string name) =>
        context.Credentials.GetValueOrDefault(name) is { Length: > 0 } value
            ? value
            : throw new ConnectorException(ConnectorFailure.Unauthorized, $"The connection has no ServiceTitan {name}.");

    // ServiceTitan errors are problem details: title, and errors by field.
    private static string? Message(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var title = root.TryGetProperty("title", out var t) ? t.GetString() : root.TryGetProperty("message", out var m) ? m.GetString() : null;
            return title is { Length: > 300 } ? title[..300] : title;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
