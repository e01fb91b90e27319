using OtpNet;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Identity.Mfa;

/// <summary>
/// RFC 6238 codes (30 s steps, 6 digits, one step of drift either way). A code that was accepted once is refused
/// afterwards: the accepted step is recorded in PostgreSQL, so the refusal holds across instances.
/// </summary>
public sealed class TotpVerifier(StreamFlowDatabase database, TimeProvider timeProvider)
{
    public async Task<bool> VerifyOnceAsync(string base32Secret, string? code, string subject, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(code) || code.Length != 6 || !code.All(char.IsAsciiDigit))
        {
            return false;
        }

        var totp = new Totp(Base32Encoding.ToBytes(base32Secret));
        var now = timeProvider.GetUtcNow().UtcDateTime;
        if (!totp.VerifyTotp(now, code, out var step, new VerificationWindow(previous: 1, future: 1)))
        {
            return false;
        }

        var recorded = await database.InPlatformAsync(scope => TotpStepStore.RecordAsync(scope, subject, step, timeProvider.GetUtcNow()), cancellationToken);
        return recorded == 1;
    }
}
