using System.Security.Cryptography;
using System.Text;
using StreamFlow.Core.Identity.Mfa;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Identity.Systems;

public sealed record OperatorLoginRequest(string? Email, string? Password, string? Totp);

/// <summary>Checks operator credentials from the environment in constant time and issues a token.</summary>
public sealed class OperatorLoginService(OperatorAccounts accounts, OperatorTokenService tokens, TotpVerifier totp)
{
    public const string InvalidCredentials = "The email, password or one-time code is not correct.";

    public async Task<Result<IssuedToken>> LoginAsync(OperatorSystem system, OperatorLoginRequest request, CancellationToken cancellationToken)
    {
        var account = accounts.Get(system);
        if (!account.IsConfigured)
        {
            return new Problem(ProblemKind.Unavailable, $"The {system.ToString().ToLowerInvariant()} system has no credentials configured.");
        }

        var emailMatches = FixedTimeEquals(Normalize(request.Email), Normalize(account.Email));
        var passwordMatches = FixedTimeEquals(request.Password ?? "", account.Password!);
        if (!(emailMatches & passwordMatches))
        {
            return Problem.Unauthorized(InvalidCredentials);
        }

        if (!string.IsNullOrEmpty(account.TotpSecret)
            && !await totp.VerifyOnceAsync(account.TotpSecret, request.Totp, $"{system}:{account.Email}", cancellationToken))
        {
            return Problem.Unauthorized(InvalidCredentials);
        }

        return tokens.Issue(system, account.Email!);
    }

    private static string Normalize(string? email) => (email ?? "").Trim().ToLowerInvariant();

    // Hashing first makes the comparison constant-time whatever the lengths are.
    private static bool FixedTimeEquals(string left, string right) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(left)),
            SHA256.HashData(Encoding.UTF8.GetBytes(right)));
}
