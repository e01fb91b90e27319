using Microsoft.AspNetCore.Http;
using StreamFlow.Core.ApiKeys;

namespace StreamFlow.Functions.Http;

/// <summary>
/// An integrator's API key on a request: <c>X-Api-Key: sf_live_...</c> or <c>Authorization: Bearer sf_live_...</c>.
/// Only <see cref="ClientAuthenticator"/> looks for one, so a key is never a credential on provider, developer or
/// anonymous routes (their authenticators see an unknown token, or none is asked for).
/// </summary>
public static class ApiKeyCredential
{
    public const string Header = "X-Api-Key";

    /// <summary>The presented key, or null when the request carries none (a session token is not one).</summary>
    public static string? From(HttpRequest request)
    {
        var header = request.Headers[Header].ToString();
        if (header.Length > 0)
        {
            return header.Trim();
        }

        var bearer = BearerToken.From(request);
        return ApiKeyToken.LooksLikeKey(bearer) ? bearer : null;
    }
}
