using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Identity.Mfa;
using StreamFlow.Core.Identity.Throttling;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Identity.Systems;

public sealed record OperatorLoginRequest(string? Email, string? Password, string? Totp);

/// <summary>
/// Checks operator credentials from the environment in constant time and issues a token. Failures are throttled by
/// the same <see cref="LoginThrottle"/> as client sign-ins (per account tried and per address) and audited.
/// </summary>
public sealed class OperatorLoginService(
    OperatorAccounts accounts,
    OperatorTokenService tokens,
    TotpVerifier totp,
    LoginThrottle throttle,
    AuditLog audit)
{
    public const string InvalidCredentials = "The email, password or one-time code is not correct.";

    public async Task<Result<IssuedToken>> LoginAsync(OperatorSystem system, OperatorLoginRequest request, RequestOrigin origin, CancellationToken cancellationToken)
    {
        var account = accounts.Get(system);
        if (!account.IsConfigured)
        {
            return new Problem(ProblemKind.Unavailable, $"The {system.ToString().ToLowerInvariant()} system has no credentials configured.");
        }

        var email = Normalize(request.Email);
        var accountKey = LoginThrottle.OperatorAccountKey(system.ToString(), email);
        var ipKey = LoginThrottle.IpKey(origin.Ip);
        if (await throttle.RetryAfterAsync(accountKey, ipKey, cancellationToken) is { } wait)
        {
            await audit.RecordAsync(Event(system, email, "login.throttled", AuditOutcome.Refused, origin), cancellationToken);
            return new Problem(ProblemKind.RateLimited, "Too many failed sign-in attempts. Wait before trying again.", RetryAfter: wait);
        }

        var emailMatches = FixedTimeEquals(email, Normalize(account.Email));
        var passwordMatches = FixedTimeEquals(request.Password ?? "", account.Password!);
        if (!(emailMatches & passwordMatches))
        {
            return await FailAsync(system, email, "invalid credentials", accountKey, ipKey, origin, cancellationToken);
        }

        if (!string.IsNullOrEmpty(account.TotpSecret)
            && !await totp.VerifyOnceAsync(account.TotpSecret, request.Totp, $"{system}:{account.Email}", cancellationToken))
        {
            return await FailAsync(system, email, string.IsNullOrEmpty(request.Totp) ? "code missing" : "code rejected", accountKey, ipKey, origin, cancellationToken);
        }

        await throttle.ClearAccountAsync(accountKey, cancellationToken);
        await audit.RecordAsync(Event(system, email, "login.succeeded", AuditOutcome.Succeeded, origin), cancellationToken);
        return tokens.Issue(system, account.Email!);
    }

    private async Task<Result<IssuedToken>> FailAsync(
        OperatorSystem system, string email, string reason, byte[] accountKey, byte[] ipKey, RequestOrigin origin, CancellationToken cancellationToken)
    {
        await throttle.RecordFailureAsync(accountKey, ipKey, cancellationToken);
        await audit.RecordAsync(Event(system, email, "login.failed", AuditOutcome.Failed, origin, new JsonObject { ["reason"] = reason }), cancellationToken);
        return Problem.Unauthorized(InvalidCredentials);
    }

    private static AuditEvent Event(OperatorSystem system, string email, string action, string outcome, RequestOrigin origin, JsonObject? details = null) =>
        new(system == OperatorSystem.Provider ? AuditSystem.Provider : AuditSystem.Developer, null,
            email.Length == 0 ? "anonymous" : $"email:{email}", action, null, outcome, origin, details);

    private static string Normalize(string? email) => (email ?? "").Trim().ToLowerInvariant();

    // Hashing first makes the comparison constant-time whatever the lengths are.
    private static bool FixedTimeEquals(string left, string right) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(left)),
            SHA256.HashData(Encoding.UTF8.GetBytes(right)));
}
