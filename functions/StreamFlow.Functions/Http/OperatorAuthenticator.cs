using Microsoft.AspNetCore.Http;
using StreamFlow.Core.Identity.Systems;
using StreamFlow.Core.Results;

namespace StreamFlow.Functions.Http;

/// <summary>Authenticates provider and developer callers from their bearer JWT; any other token is a 401.</summary>
public sealed class OperatorAuthenticator(OperatorTokenService tokens)
{
    public async Task<Result<OperatorPrincipal>> AuthenticateAsync(HttpRequest request, OperatorSystem system)
    {
        var token = BearerToken.From(request);
        if (token is null)
        {
            return Problem.Unauthorized("Send a bearer token.");
        }

        var principal = await tokens.ValidateAsync(system, token);
        return principal is null
            ? Problem.Unauthorized($"The token is not a valid {system.ToString().ToLowerInvariant()} token.")
            : principal;
    }
}

public static class BearerToken
{
    public static string? From(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && header.Length > scheme.Length
            ? header[scheme.Length..].Trim()
            : null;
    }
}
