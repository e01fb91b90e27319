using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Email;
using StreamFlow.Core.Identity.Passwords;
using StreamFlow.Core.Identity.Throttling;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.Core.Identity.Clients;

/// <summary>Emailed single-use tokens that set a password: resets, and invitations of new users.</summary>
public sealed class PasswordResetService(
    StreamFlowDatabase database,
    TenantService tenants,
    PasswordHasher passwords,
    EmailSender email,
    EmailOutbox outbox,
    AuditLog audit,
    TimeProvider timeProvider,
    IdentityOptions options,
    AccessChanges accessChanges,
    ILogger<PasswordResetService> logger)
{
    // The sign-in throttle's growing delays, with budgets of their own and keys that never meet a sign-in's.
    private readonly LoginThrottle _throttle = new(database, timeProvider, new LoginThrottleOptions
    {
        FreeAccountFailures = options.FreePasswordResetsPerAccount,
        MaxAccountFailuresPerHour = options.FreePasswordResetsPerAccount * 4,
        FreeIpFailures = options.FreePasswordResetsPerAddress,
        MaxIpFailuresPerHour = options.FreePasswordResetsPerAddress * 10,
    });

    public const string InvalidToken = "The link is invalid, has expired or was already used. Ask for a new one.";

    /// <summary>
    /// Answers the same, in the same time, whether or not the account exists: the caller's part only checks the rate
    /// limits (per account named and per address, like sign-ins) and queues the work; looking the account up, issuing
    /// the token, auditing and mailing happen in the <see cref="EmailOutbox"/> afterwards.
    /// </summary>
    public async Task<Result<bool>> RequestAsync(string? tenantSlug, string? emailAddress, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var slug = (tenantSlug ?? "").Trim().ToLowerInvariant();
        var address = (emailAddress ?? "").Trim().ToLowerInvariant();
        var accountKey = LoginThrottle.AccountKey($"password-reset:{slug}", address);
        var ipKey = LoginThrottle.IpKey($"password-reset:{origin.Ip}");
        if (await _throttle.RetryAfterAsync(accountKey, ipKey, cancellationToken) is { } wait)
        {
            await audit.RecordAsync(new AuditEvent(AuditSystem.Client, null, "anonymous", "password.reset_throttled", $"tenant:{slug}", AuditOutcome.Refused, origin), cancellationToken);
            return new Problem(ProblemKind.RateLimited, "Too many password reset requests. Wait before asking again.", RetryAfter: wait);
        }

        await _throttle.RecordFailureAsync(accountKey, ipKey, cancellationToken);
        outbox.Enqueue(token => ComposeResetAsync(slug, address, origin, token));
        return true;
    }

    private async Task<EmailMessage?> ComposeResetAsync(string slug, string address, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var tenant = slug.Length == 0 ? null : await tenants.FindBySlugAsync(slug, cancellationToken);
        if (tenant is null || tenant.Status != TenantStatus.Active)
        {
            await audit.RecordAsync(new AuditEvent(AuditSystem.Client, null, "anonymous", "password.reset_requested", null, AuditOutcome.Refused, origin,
                new JsonObject { ["reason"] = "unknown or suspended tenant" }), cancellationToken);
            return null;
        }

        var user = await database.InTenantAsync(tenant.Id, scope => UserStore.FindByEmailAsync(scope, address), cancellationToken);
        if (user is null || user.Status == UserStatus.Disabled)
        {
            await audit.RecordAsync(new AuditEvent(AuditSystem.Client, tenant.Id, "anonymous", "password.reset_requested", null, AuditOutcome.Refused, origin,
                new JsonObject { ["reason"] = "unknown user" }), cancellationToken);
            return null;
        }

        var token = await IssueAsync(tenant.Id, user.Id, "reset", options.PasswordResetLifetime, "password.reset_requested", $"user:{user.Id}", origin, cancellationToken);
        return new EmailMessage(user.Email, "Reset your StreamFlow password",
            $"Someone asked to reset the password of your StreamFlow account at {tenant.Name}.\n\n"
            + $"Reset it here within {options.PasswordResetLifetime.TotalMinutes:0} minutes:\n{options.PublicAppUrl}/reset-password?token={token}\n\n"
            + $"Or send this token to POST /api/v1/auth/password-reset/confirm:\n{token}\n\nIf it was not you, ignore this email.", BrandTenantId: tenant.Id);
    }

    /// <summary>Creates the invitation token of a new user and emails it.</summary>
    internal async Task InviteAsync(Tenant tenant, StoredUser user, string actor, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var token = await IssueAsync(tenant.Id, user.Id, "invitation", options.InvitationLifetime, "user.invitation_sent", actor, origin, cancellationToken);
        await SendAsync(user.Email, $"You are invited to {tenant.Name} on StreamFlow",
            $"Hello {user.Name},\n\nYou have been invited to join {tenant.Name} on StreamFlow.\n\n"
            + $"Choose your password here within {options.InvitationLifetime.TotalDays:0} days:\n{options.PublicAppUrl}/accept-invitation?token={token}\n\n"
            + $"Or send this token with your new password to POST /api/v1/auth/password-reset/confirm:\n{token}\n",
            tenant.Id, cancellationToken);
    }

    public async Task<Result<bool>> ConfirmAsync(string? token, string? newPassword, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        errors.Required("token", token, 200);
        UserValidation.NewPassword(errors, "newPassword", newPassword);
        if (errors.ToProblem() is { } problem)
        {
            return problem;
        }

        if (!SessionToken.TryReadTenant(token, out var tenantId))
        {
            await RecordRefusalAsync(null, origin, cancellationToken);
            return Problem.Validation("token", InvalidToken);
        }

        var hash = passwords.Hash(newPassword!);
        var done = await database.InTenantAsync(tenantId, async scope =>
        {
            var now = timeProvider.GetUtcNow();
            var claim = await PasswordResetTokenStore.ClaimAsync(scope, SessionToken.Hash(token!), now);
            if (claim is null)
            {
                return false;
            }

            await UserStore.SetPasswordAsync(scope, claim.UserId, hash, now);
            var revoked = await SessionStore.RevokeAllAsync(scope, claim.UserId, now);
            await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Client, tenantId, $"user:{claim.UserId}",
                claim.Purpose == "invitation" ? "user.invitation_accepted" : "password.reset_completed", $"user:{claim.UserId}", AuditOutcome.Succeeded, origin,
                new JsonObject { ["sessionsRevoked"] = revoked }));
            return true;
        }, cancellationToken);
        accessChanges.Changed();

        if (!done)
        {
            await RecordRefusalAsync(tenantId, origin, cancellationToken);
            return Problem.Validation("token", InvalidToken);
        }

        return true;
    }

    private async Task<string> IssueAsync(Guid tenantId, Guid userId, string purpose, TimeSpan lifetime, string action, string actor, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var token = SessionToken.Create(tenantId);
        await database.InTenantAsync(tenantId, async scope =>
        {
            var now = timeProvider.GetUtcNow();
            await PasswordResetTokenStore.InsertAsync(scope, SessionToken.Hash(token), tenantId, userId, purpose, now, now + lifetime);
            await audit.AppendAsync(scope, new AuditEvent(AuditSystem.Client, tenantId, actor, action, $"user:{userId}", AuditOutcome.Succeeded, origin));
            return true;
        }, cancellationToken);
        return token;
    }

    private async Task SendAsync(string to, string subject, string body, Guid tenantId, CancellationToken cancellationToken)
    {
        try
        {
            await email.SendAsync(new EmailMessage(to, subject, body, BrandTenantId: tenantId), cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The token stays valid; the user can ask again. The address is not logged.
            logger.LogError(exception, "Could not send the {Subject} email", subject);
        }
    }

    private Task RecordRefusalAsync(Guid? tenantId, RequestOrigin origin, CancellationToken cancellationToken) =>
        audit.RecordAsync(new AuditEvent(AuditSystem.Client, tenantId, "anonymous", "password.reset_refused", null, AuditOutcome.Refused, origin), cancellationToken);
}

internal sealed record ClaimedToken(Guid UserId, string Purpose);
