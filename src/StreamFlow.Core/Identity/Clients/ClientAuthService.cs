using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Identity.Mfa;
using StreamFlow.Core.Identity.Passwords;
using StreamFlow.Core.Identity.Throttling;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.Core.Identity.Clients;

public sealed record ClientLoginRequest(string? Tenant, string? Email, string? Password, string? Totp);

public sealed record ClientLoginResult(string AccessToken, DateTimeOffset ExpiresAt, UserView User);

/// <summary>Client sign-in with database sessions: login, token authentication, logout, sessions, password change.</summary>
public sealed class ClientAuthService(
    StreamFlowDatabase database,
    TenantService tenants,
    PasswordHasher passwords,
    TotpVerifier totp,
    Privacy.TenantKeyring keyring,
    LoginThrottle throttle,
    AuditLog audit,
    TimeProvider timeProvider,
    IdentityOptions options,
    SessionCache sessionCache,
    AccessChanges accessChanges)
{
    public const string InvalidCredentials = "The tenant, email, password or one-time code is not correct.";
    public const string InvalidSession = "The session token is not valid or has expired. Sign in again.";

    public async Task<Result<ClientLoginResult>> LoginAsync(ClientLoginRequest request, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var slug = (request.Tenant ?? "").Trim().ToLowerInvariant();
        var email = (request.Email ?? "").Trim().ToLowerInvariant();
        var accountKey = LoginThrottle.AccountKey(slug, email);
        var ipKey = LoginThrottle.IpKey(origin.Ip);
        if (await throttle.RetryAfterAsync(accountKey, ipKey, cancellationToken) is { } wait)
        {
            await audit.RecordAsync(new AuditEvent(AuditSystem.Client, null, Actor(email), "login.throttled", $"tenant:{slug}", AuditOutcome.Refused, origin), cancellationToken);
            return new Problem(ProblemKind.RateLimited, "Too many failed sign-in attempts. Wait before trying again.", RetryAfter: wait);
        }

        var tenant = slug.Length == 0 ? null : await tenants.FindBySlugAsync(slug, cancellationToken);
        var user = tenant is null
            ? null
            : await database.InTenantAsync(tenant.Id, scope => UserStore.FindByEmailAsync(scope, email), cancellationToken);
        var passwordMatches = user is { Status: UserStatus.Active } && passwords.Verify(request.Password ?? "", user.PasswordHash);
        if (!passwordMatches)
        {
            if (user is not { Status: UserStatus.Active })
            {
                passwords.VerifyDecoy(request.Password ?? "");
            }

            return await FailAsync(tenant?.Id, email, "login.failed", "invalid credentials", accountKey, ipKey, origin, cancellationToken);
        }

        if (user!.MfaEnabled && !await SecondFactorMatchesAsync(user, request.Totp, cancellationToken))
        {
            return await FailAsync(tenant!.Id, email, "login.mfa_failed", string.IsNullOrEmpty(request.Totp) ? "code missing" : "code rejected", accountKey, ipKey, origin, cancellationToken,
                string.IsNullOrEmpty(request.Totp) ? "A one-time code from your authenticator app (or a recovery code) is required." : InvalidCredentials);
        }

        if (tenant!.Status == TenantStatus.Suspended)
        {
            await audit.RecordAsync(new AuditEvent(AuditSystem.Client, tenant.Id, $"user:{user.Id}", "login.refused_suspended", $"tenant:{tenant.Id}", AuditOutcome.Refused, origin), cancellationToken);
            return Problem.Forbidden(SuspendedDetail(tenant.SuspendedReason));
        }

        await throttle.ClearAccountAsync(accountKey, cancellationToken);
        var token = SessionToken.Create(tenant.Id);
        var now = timeProvider.GetUtcNow();
        var expiresAt = now + options.SessionAbsoluteLifetime;
        await database.InTenantAsync(tenant.Id, async scope =>
        {
            await SessionStore.InsertAsync(scope, Guid.CreateVersion7(), tenant.Id, user.Id, SessionToken.Hash(token), now, expiresAt, origin.Ip, origin.UserAgent);
            await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Client, tenant.Id, $"user:{user.Id}", "login.succeeded", $"user:{user.Id}", AuditOutcome.Succeeded, origin));
            return true;
        }, cancellationToken);
        return new ClientLoginResult(token, expiresAt, user.ToView());
    }

    /// <summary>Resolves a bearer token to its user, enforcing revocation, idle timeout, absolute lifetime and suspension.</summary>
    public async Task<Result<ClientPrincipal>> AuthenticateAsync(string? token, RequestOrigin origin, CancellationToken cancellationToken)
    {
        if (!SessionToken.TryReadTenant(token, out var tenantId))
        {
            await audit.RecordAsync(new AuditEvent(AuditSystem.Client, null, "anonymous", "token.refused", null, AuditOutcome.Refused, origin,
                new JsonObject { ["reason"] = token is null ? "missing" : "malformed" }), cancellationToken);
            return Problem.Unauthorized(token is null ? "Send a bearer token." : InvalidSession);
        }

        var now = timeProvider.GetUtcNow();
        var tokenHash = SessionToken.Hash(token!);
        if (sessionCache.TryGet(tokenHash, now, out var cached))
        {
            return PrincipalOf(tenantId, cached);
        }

        var generation = sessionCache.Generation;
        var session = await SessionStore.CheckAsync(
            database, tenantId, tokenHash, now, now - options.SessionTouchInterval, now - options.SessionIdleTimeout, cancellationToken);

        if (session is null || session.RevokedAt is not null || !IsLive(session, now) || session.UserStatus != UserStatus.Active)
        {
            var reason = session is null ? "unknown" : session.RevokedAt is not null ? "revoked" : session.UserStatus != UserStatus.Active ? "user_inactive" : "expired";
            await audit.RecordAsync(new AuditEvent(AuditSystem.Client, session is null ? null : tenantId, "anonymous", "token.refused", null, AuditOutcome.Refused, origin,
                new JsonObject { ["reason"] = reason }), cancellationToken);
            return Problem.Unauthorized(InvalidSession);
        }

        if (session.TenantStatus == TenantStatus.Suspended)
        {
            return Problem.Forbidden(SuspendedDetail(session.SuspendedReason));
        }

        var touched = session.LastSeenAt <= now - options.SessionTouchInterval;
        sessionCache.Keep(tokenHash, session, touched ? now : session.LastSeenAt, generation);
        return PrincipalOf(tenantId, session);
    }

    private static ClientPrincipal PrincipalOf(Guid tenantId, SessionLookup session) =>
        new(tenantId, session.UserId, session.SessionId, session.Email, ClientRoles.FromDatabase(session.Role),
            session.RequestsPerMinute, session.UserRequestsPerMinute);

    public async Task LogoutAsync(ClientPrincipal principal, RequestOrigin origin, CancellationToken cancellationToken)
    {
        await database.InTenantAsync(principal.TenantId, async scope =>
        {
            await SessionStore.RevokeAsync(scope, principal.SessionId, principal.UserId, timeProvider.GetUtcNow());
            await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Client, principal.TenantId, principal.Actor, "logout", $"session:{principal.SessionId}", AuditOutcome.Succeeded, origin));
            return true;
        }, cancellationToken);
        accessChanges.Changed();
    }

    public Task<IReadOnlyList<SessionView>> ListSessionsAsync(ClientPrincipal principal, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        return database.InTenantAsync(principal.TenantId,
            scope => SessionStore.ListAsync(scope, principal.UserId, principal.SessionId, now, now - options.SessionIdleTimeout), cancellationToken);
    }

    public async Task<Result<bool>> RevokeSessionAsync(ClientPrincipal principal, Guid sessionId, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var revoked = await database.InTenantAsync(principal.TenantId, async scope =>
        {
            var done = await SessionStore.RevokeAsync(scope, sessionId, principal.UserId, timeProvider.GetUtcNow());
            if (done)
            {
                await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Client, principal.TenantId, principal.Actor, "session.revoked", $"session:{sessionId}", AuditOutcome.Succeeded, origin));
            }

            return done;
        }, cancellationToken);
        accessChanges.Changed();
        return revoked ? true : Problem.NotFound("The session");
    }

    public async Task<Result<bool>> ChangePasswordAsync(ClientPrincipal principal, string? currentPassword, string? newPassword, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        UserValidation.NewPassword(errors, "newPassword", newPassword);
        if (errors.ToProblem() is { } problem)
        {
            return problem;
        }

        var user = await database.InTenantAsync(principal.TenantId, scope => UserStore.FindAsync(scope, principal.UserId), cancellationToken);
        if (user is null || !passwords.Verify(currentPassword ?? "", user.PasswordHash))
        {
            await audit.RecordAsync(new AuditEvent(AuditSystem.Client, principal.TenantId, principal.Actor, "password.change_failed", principal.Actor, AuditOutcome.Failed, origin), cancellationToken);
            return Problem.Validation("currentPassword", "is not correct.");
        }

        var hash = passwords.Hash(newPassword!);
        await database.InTenantAsync(principal.TenantId, async scope =>
        {
            var now = timeProvider.GetUtcNow();
            await UserStore.SetPasswordAsync(scope, principal.UserId, hash, now);
            var revoked = await SessionStore.RevokeAllAsync(scope, principal.UserId, now);
            await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Client, principal.TenantId, principal.Actor, "password.changed", principal.Actor, AuditOutcome.Succeeded, origin,
                new JsonObject { ["sessionsRevoked"] = revoked }));
            return true;
        }, cancellationToken);
        accessChanges.Changed();
        return true;
    }

    internal static string SuspendedDetail(string? reason) =>
        $"This client business is suspended{(string.IsNullOrWhiteSpace(reason) ? "" : $": {reason}")}. Contact your provider.";

    private bool IsLive(SessionLookup session, DateTimeOffset now) =>
        session.ExpiresAt > now && now - session.LastSeenAt < options.SessionIdleTimeout;

    private async Task<bool> SecondFactorMatchesAsync(StoredUser user, string? code, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(code) || user.MfaSecretSealed is null)
        {
            return false;
        }

        var secret = UserStore.OpenMfaSecret(await keyring.ForTenantAsync(user.TenantId, cancellationToken), user)!;
        if (await totp.VerifyOnceAsync(secret, code.Trim(), $"user:{user.Id}", cancellationToken))
        {
            return true;
        }

        var codeHash = RecoveryCodes.Hash(code);
        return await database.InTenantAsync(user.TenantId,
            scope => UserStore.UseRecoveryCodeAsync(scope, user.Id, codeHash, timeProvider.GetUtcNow()), cancellationToken);
    }

    private async Task<Result<ClientLoginResult>> FailAsync(
        Guid? tenantId, string email, string action, string reason, byte[] accountKey, byte[] ipKey, RequestOrigin origin,
        CancellationToken cancellationToken, string detail = InvalidCredentials)
    {
        await throttle.RecordFailureAsync(accountKey, ipKey, cancellationToken);
        await audit.RecordAsync(new AuditEvent(AuditSystem.Client, tenantId, Actor(email), action, null, AuditOutcome.Failed, origin,
            new JsonObject { ["reason"] = reason }), cancellationToken);
        return Problem.Unauthorized(detail);
    }

    private static string Actor(string email) => email.Length == 0 ? "anonymous" : $"email:{email}";
}

/// <summary>Single-use recovery codes; only their SHA-256 is stored.</summary>
public static class RecoveryCodes
{
    private const string Alphabet = "abcdefghjkmnpqrstuvwxyz23456789";

    public static string[] Generate(int count = 10) =>
        Enumerable.Range(0, count).Select(_ => string.Create(11, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = i == 5 ? '-' : Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
            }
        })).ToArray();

    public static string Hash(string code) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code.Trim().ToLowerInvariant())));
}
