using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Identity.Systems;
using StreamFlow.Core.RateLimiting;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Functions.Http;

/// <summary>Authenticates provider and developer callers from their bearer JWT; any other token is a 401.</summary>
public sealed class OperatorAuthenticator(OperatorTokenService tokens, ApiRateLimiter rateLimiter, AuditLog audit, IConfiguration configuration)
{
    private readonly int _requestsPerMinute = configuration.GetValue("RateLimits:OperatorRequestsPerMinute", 1200);

    public async Task<Result<OperatorPrincipal>> AuthenticateAsync(HttpRequest request, OperatorSystem system)
    {
        var token = BearerToken.From(request);
        var principal = token is null ? null : await tokens.ValidateAsync(system, token);
        if (principal is null)
        {
            await audit.RecordAsync(new AuditEvent(AuditSystemOf(system), null, "anonymous", "token.refused", $"{request.Method} {request.Path}",
                AuditOutcome.Refused, RequestOrigins.Of(request), new JsonObject { ["reason"] = token is null ? "missing" : "invalid" }), request.HttpContext.RequestAborted);
            return Problem.Unauthorized(token is null ? "Send a bearer token." : $"The token is not a valid {system.ToString().ToLowerInvariant()} token.");
        }

        var limited = rateLimiter.TryAcquire(($"{system}:{principal.Email}", _requestsPerMinute));
        return limited is null ? principal : limited;
    }

    public static string AuditSystemOf(OperatorSystem system) =>
        system == OperatorSystem.Provider ? AuditSystem.Provider : AuditSystem.Developer;
}

/// <summary>Admits <see cref="ProviderAccessAttribute"/> callers.</summary>
public sealed class ProviderAuthenticator(OperatorAuthenticator operators) : ICallerAuthenticator
{
    public Type Access => typeof(ProviderAccessAttribute);

    public async Task<Result<object>> AdmitAsync(HttpRequest request, AccessAttribute access, CancellationToken cancellationToken) =>
        (await operators.AuthenticateAsync(request, OperatorSystem.Provider)).Boxed();
}

/// <summary>Admits <see cref="DeveloperAccessAttribute"/> callers.</summary>
public sealed class DeveloperAuthenticator(OperatorAuthenticator operators) : ICallerAuthenticator
{
    public Type Access => typeof(DeveloperAccessAttribute);

    public async Task<Result<object>> AdmitAsync(HttpRequest request, AccessAttribute access, CancellationToken cancellationToken) =>
        (await operators.AuthenticateAsync(request, OperatorSystem.Developer)).Boxed();
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
