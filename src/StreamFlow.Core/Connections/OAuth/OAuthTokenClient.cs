using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamFlow.Core.Connections.OAuth;

/// <summary>
/// Calls a vendor's OAuth2 token endpoint (RFC 6749 §4.1.3, §4.4, §6) with client_secret_basic: the authorization-code
/// exchange with its PKCE verifier, a refresh, or a client-credentials grant. A refused grant (400/401, such as
/// invalid_grant or invalid_client) is <see cref="ConnectorFailure.Unauthorized"/>; 5xx, timeouts and answers that are
/// not the documented JSON are <see cref="ConnectorFailure.Unavailable"/>.
/// </summary>
public sealed class OAuthTokenClient(TimeProvider time) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public Task<OAuthTokenSet> ExchangeCodeAsync(OAuthClientSettings client, string code, string codeVerifier, CancellationToken cancellationToken) =>
        RequestAsync(client.TokenEndpoint, client.ClientId, client.ClientSecret, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = client.RedirectUri, ["code_verifier"] = codeVerifier,
        }, _http, cancellationToken);

    public Task<OAuthTokenSet> RefreshAsync(OAuthClientSettings client, string refreshToken, CancellationToken cancellationToken) =>
        RequestAsync(client.TokenEndpoint, client.ClientId, client.ClientSecret, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken,
        }, _http, cancellationToken);

    /// <param name="http">The client to send with: one carrying a client certificate when the vendor requires mutual TLS.</param>
    /// <param name="secretInBody">client_secret_post (the id and secret as form fields, as ServiceTitan documents) instead of client_secret_basic.</param>
    public Task<OAuthTokenSet> ClientCredentialsAsync(
        string tokenEndpoint, string clientId, string clientSecret, string? scope, HttpClient? http, bool secretInBody, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        if (!string.IsNullOrWhiteSpace(scope))
        {
            form["scope"] = scope;
        }

        if (secretInBody)
        {
            form["client_id"] = clientId;
            form["client_secret"] = clientSecret;
        }

        return RequestAsync(tokenEndpoint, secretInBody ? null : clientId, clientSecret, form, http ?? _http, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    /// <param name="basicClientId">Null when the client authenticates in the form body instead of with HTTP Basic.</param>
    private async Task<OAuthTokenSet> RequestAsync(
        string endpoint, string? basicClientId, string clientSecret, Dictionary<string, string> form, HttpClient http, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint)) { Content = new FormUrlEncodedContent(form) };
        if (basicClientId is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(basicClientId)}:{Uri.EscapeDataString(clientSecret)}")));
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException || exception is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ConnectorException(ConnectorFailure.Unavailable, "The token endpoint could not be reached or did not answer in time.", inner: exception);
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            TokenAnswer? answer = null;
            try
            {
                answer = JsonSerializer.Deserialize<TokenAnswer>(body);
            }
            catch (JsonException)
            {
            }

            if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized)
            {
                var reason = answer?.Error is { Length: > 0 } error ? answer.ErrorDescription is { Length: > 0 } detail ? $"{error}: {detail}" : error : $"HTTP {(int)response.StatusCode}";
                throw new ConnectorException(ConnectorFailure.Unauthorized, $"The vendor refused the grant ({reason}); connect the account again.");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new ConnectorException((int)response.StatusCode == 429 ? ConnectorFailure.RateLimited : ConnectorFailure.Unavailable,
                    $"The token endpoint answered {(int)response.StatusCode}.", response.Headers.RetryAfter?.Delta);
            }

            if (answer is not { AccessToken.Length: > 0, ExpiresIn: > 0 })
            {
                throw new ConnectorException(ConnectorFailure.Unavailable, "The token endpoint answered something that is not a token response.");
            }

            var now = time.GetUtcNow();
            return new OAuthTokenSet(answer.AccessToken, answer.RefreshToken, now.AddSeconds(answer.ExpiresIn.Value),
                answer.RefreshExpiresIn is > 0 ? now.AddSeconds(answer.RefreshExpiresIn.Value) : null);
        }
    }

    private sealed record TokenAnswer(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("refresh_token")] string? RefreshToken,
        [property: JsonPropertyName("expires_in")] long? ExpiresIn,
        [property: JsonPropertyName("x_refresh_token_expires_in")] long? RefreshExpiresIn,
        [property: JsonPropertyName("error")] string? Error,
        [property: JsonPropertyName("error_description")] string? ErrorDescription);
}
