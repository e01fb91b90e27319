using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using StreamFlow.Core.ApiKeys;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Identity.Clients;
using StreamFlow.Core.RateLimiting;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Functions.Http;

/// <summary>
/// Admits <see cref="ClientAccessAttribute"/> callers: a client session token whose role grants the permission, or an
/// API key (<see cref="ApiKeyCredential"/>) whose scopes and creator's role both grant it; within the rate limits.
/// </summary>
public sealed class ClientAuthenticator(ClientAuthService auth, ApiKeyService apiKeys, ApiRateLimiter rateLimiter, AuditLog audit) : ICallerAuthenticator
{
    public Type Access => typeof(ClientAccessAttribute);

    public async Task<Result<object>> AdmitAsync(HttpRequest request, AccessAttribute access, CancellationToken cancellationToken) =>
        (await AuthorizeAsync(request, ((ClientAccessAttribute)access).Permission, cancellationToken)).Boxed();

    private async Task<Result<ClientPrincipal>> AuthorizeAsync(HttpRequest request, Permission permission, CancellationToken cancellationToken)
    {
        var authenticated = ApiKeyCredential.From(request) is { } key
            ? await apiKeys.AuthenticateAsync(key, $"{request.Method} {request.Path}", RequestOrigins.Of(request), cancellationToken)
            : await auth.AuthenticateAsync(BearerToken.From(request), RequestOrigins.Of(request), cancellationToken);
        if (!authenticated.Succeeded)
        {
            return authenticated;
        }

        var principal = authenticated.Value;
        if (!principal.Allows(permission))
        {
            await audit.RecordAsync(new AuditEvent(AuditSystem.Client, principal.TenantId, principal.Actor, "permission.denied",
                $"{request.Method} {request.Path}", AuditOutcome.Refused, RequestOrigins.Of(request),
                new JsonObject { ["permission"] = permission.ToString(), ["role"] = principal.Role.ToDatabase(), ["apiKey"] = principal.ApiKey?.Name }), cancellationToken);
            return Problem.Forbidden(principal.ApiKey is null || !principal.Role.Allows(permission)
                ? $"The {principal.Role.ToDatabase()} role does not allow this ({permission})."
                : $"The API key's scopes do not include {permission}.");
        }

        var limited = rateLimiter.TryAcquire(
            ($"tenant:{principal.TenantId}", principal.TenantRequestsPerMinute),
            principal.ApiKey is { } apiKey ? ($"apikey:{apiKey.Id}", apiKey.RequestsPerMinute) : ($"user:{principal.UserId}", principal.UserRequestsPerMinute));
        return limited is null ? principal : limited;
    }
}

public static class RequestOrigins
{
    public static RequestOrigin Of(HttpRequest request) =>
        new(request.HttpContext.Connection.RemoteIpAddress?.ToString(), request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null);
}
