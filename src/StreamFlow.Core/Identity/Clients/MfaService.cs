using System.Text.Json.Nodes;
using OtpNet;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Database;
using StreamFlow.Core.Identity.Mfa;
using StreamFlow.Core.Identity.Passwords;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Identity.Clients;

public sealed record MfaSetup(string Secret, string OtpAuthUri);

public sealed record MfaEnabled(IReadOnlyList<string> RecoveryCodes);

/// <summary>Optional TOTP (RFC 6238) per user: set up, confirm with a first code, disable with password and code.</summary>
public sealed class MfaService(
    StreamFlowDatabase database, PasswordHasher passwords, TotpVerifier totp, Privacy.TenantKeyring keyring, AuditLog audit, TimeProvider timeProvider)
{
    public async Task<Result<MfaSetup>> SetupAsync(ClientPrincipal principal, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var user = await FindAsync(principal, cancellationToken);
        if (user.MfaEnabled)
        {
            return Problem.Conflict("Two-factor authentication is already on. Disable it first to set up a new authenticator.");
        }

        var secret = Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20));
        var keys = await keyring.ForTenantAsync(principal.TenantId, cancellationToken);
        await database.InTenantAsync(principal.TenantId, async scope =>
        {
            await UserStore.SetMfaSecretAsync(scope, keys, principal.UserId, secret, timeProvider.GetUtcNow());
            await audit.AppendAsync(scope, Event(principal, "mfa.setup_started", origin));
            return true;
        }, cancellationToken);
        var uri = $"otpauth://totp/StreamFlow:{Uri.EscapeDataString(principal.Email)}?secret={secret}&issuer=StreamFlow&digits=6&period=30";
        return new MfaSetup(secret, uri);
    }

    public async Task<Result<MfaEnabled>> EnableAsync(ClientPrincipal principal, string? code, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var user = await FindAsync(principal, cancellationToken);
        if (user.MfaSecretSealed is null || user.MfaEnabled)
        {
            return Problem.Conflict(user.MfaEnabled ? "Two-factor authentication is already on." : "Start the setup first (POST /api/v1/auth/mfa/setup).");
        }

        var secret = UserStore.OpenMfaSecret(await keyring.ForTenantAsync(principal.TenantId, cancellationToken), user)!;
        if (!await totp.VerifyOnceAsync(secret, code, $"user:{user.Id}", cancellationToken))
        {
            await audit.RecordAsync(Event(principal, "mfa.enable_failed", origin, AuditOutcome.Failed), cancellationToken);
            return Problem.Validation("code", "is not the current code of the authenticator.");
        }

        var codes = RecoveryCodes.Generate();
        await database.InTenantAsync(principal.TenantId, async scope =>
        {
            await UserStore.EnableMfaAsync(scope, principal.UserId, codes.Select(RecoveryCodes.Hash).ToArray(), timeProvider.GetUtcNow());
            await audit.AppendAsync(scope, Event(principal, "mfa.enabled", origin));
            return true;
        }, cancellationToken);
        return new MfaEnabled(codes);
    }

    public async Task<Result<bool>> DisableAsync(ClientPrincipal principal, string? password, string? code, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var user = await FindAsync(principal, cancellationToken);
        if (!user.MfaEnabled)
        {
            return Problem.Conflict("Two-factor authentication is not on.");
        }

        var secret = UserStore.OpenMfaSecret(await keyring.ForTenantAsync(principal.TenantId, cancellationToken), user);
        var codeMatches = secret is not null && (await totp.VerifyOnceAsync(secret, code, $"user:{user.Id}", cancellationToken)
            || (code is not null && await database.InTenantAsync(principal.TenantId, scope => UserStore.UseRecoveryCodeAsync(scope, user.Id, RecoveryCodes.Hash(code), timeProvider.GetUtcNow()), cancellationToken)));
        if (!passwords.Verify(password ?? "", user.PasswordHash) || !codeMatches)
        {
            await audit.RecordAsync(Event(principal, "mfa.disable_failed", origin, AuditOutcome.Failed), cancellationToken);
            return Problem.Validation(new Dictionary<string, string[]> { ["password"] = ["or the code is not correct."], ["code"] = ["or the password is not correct."] });
        }

        await database.InTenantAsync(principal.TenantId, async scope =>
        {
            await UserStore.DisableMfaAsync(scope, principal.UserId, timeProvider.GetUtcNow());
            await audit.AppendAsync(scope, Event(principal, "mfa.disabled", origin));
            return true;
        }, cancellationToken);
        return true;
    }

    private async Task<StoredUser> FindAsync(ClientPrincipal principal, CancellationToken cancellationToken) =>
        await database.InTenantAsync(principal.TenantId, scope => UserStore.FindAsync(scope, principal.UserId), cancellationToken)
        ?? throw new InvalidOperationException("An authenticated user has no row.");

    private static AuditEvent Event(ClientPrincipal principal, string action, RequestOrigin origin, string outcome = AuditOutcome.Succeeded) =>
        new(AuditSystem.Client, principal.TenantId, principal.Actor, action, principal.Actor, outcome, origin, new JsonObject());
}
