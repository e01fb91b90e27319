using System.Text.Json;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Connections.OAuth;

/// <summary>
/// A connector whose vendor grants access by OAuth2 authorization code (with PKCE S256): the owner consents on the
/// vendor's page, the vendor redirects to our callback with a code, and the code becomes tokens kept encrypted in the
/// connection's credentials (<see cref="OAuthCredentials"/>).
/// </summary>
public interface IOAuthConnector
{
    string Kind { get; }

    /// <summary>The vendor's endpoints and our registered client for a connection with these settings.</summary>
    OAuthClientSettings Client(JsonElement settings);

    /// <summary>
    /// Reads what the vendor adds to the callback besides code and state (QuickBooks' <c>realmId</c>) into the settings
    /// to store; errors go under the parameter's name.
    /// </summary>
    JsonElement AcceptCallback(JsonElement settings, IReadOnlyDictionary<string, string> parameters, ValidationErrors errors);
}

/// <summary>An OAuth2 client registered with a vendor; every URL is a setting.</summary>
public sealed record OAuthClientSettings(
    string AuthorizationEndpoint, string TokenEndpoint, string ClientId, string ClientSecret, string RedirectUri, string Scope);

/// <summary>What a token endpoint granted.</summary>
public sealed record OAuthTokenSet(string AccessToken, string? RefreshToken, DateTimeOffset ExpiresAt, DateTimeOffset? RefreshExpiresAt);

/// <summary>The names under which tokens live in a connection's encrypted credentials.</summary>
public static class OAuthCredentials
{
    public const string AccessToken = "accessToken";
    public const string RefreshToken = "refreshToken";
    public const string ExpiresAt = "accessTokenExpiresAt";
    public const string RefreshExpiresAt = "refreshTokenExpiresAt";

    public static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> credentials, OAuthTokenSet tokens)
    {
        var merged = credentials.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        merged[AccessToken] = tokens.AccessToken;
        merged[ExpiresAt] = tokens.ExpiresAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        if (tokens.RefreshToken is { } refresh)
        {
            merged[RefreshToken] = refresh;
        }

        if (tokens.RefreshExpiresAt is { } refreshExpires)
        {
            merged[RefreshExpiresAt] = refreshExpires.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        }

        return merged;
    }

    public static DateTimeOffset? Expiry(IReadOnlyDictionary<string, string> credentials) =>
        credentials.TryGetValue(ExpiresAt, out var text) && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.RoundtripKind, out var at) ? at : null;
}
