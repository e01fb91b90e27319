using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace StreamFlow.Core.Identity.Systems;

/// <summary>
/// Short-lived HS256 JWTs, one key, issuer, audience and <c>typ</c> per operator system, so that a token of one
/// system can never validate in another. Only HS256 is accepted: no <c>none</c>, no asymmetric confusion.
/// </summary>
public sealed class OperatorTokenService(OperatorAccounts accounts, TimeProvider timeProvider, OperatorAuthOptions options)
{
    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };

    public IssuedToken Issue(OperatorSystem system, string email)
    {
        var account = accounts.Get(system);
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = account.Issuer,
            Audience = account.Audience,
            TokenType = account.TokenType,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + options.TokenLifetime,
            Subject = new ClaimsIdentity([new Claim("sub", email), new Claim("jti", Guid.NewGuid().ToString("N"))]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(account.SigningKey), SecurityAlgorithms.HmacSha256),
        };
        return new IssuedToken(Handler.CreateToken(descriptor), (int)options.TokenLifetime.TotalSeconds);
    }

    public async Task<OperatorPrincipal?> ValidateAsync(OperatorSystem system, string token)
    {
        var account = accounts.Get(system);
        if (!account.IsConfigured)
        {
            return null;
        }

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = account.Issuer,
            ValidAudience = account.Audience,
            ValidTypes = [account.TokenType],
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            IssuerSigningKey = new SymmetricSecurityKey(account.SigningKey),
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (notBefore, expires, _, _) => IsWithinLifetime(notBefore, expires),
        };
        var result = await Handler.ValidateTokenAsync(token, parameters);
        var subject = result.IsValid ? result.ClaimsIdentity.FindFirst("sub")?.Value : null;
        return subject is null ? null : new OperatorPrincipal(system, subject);
    }

    private bool IsWithinLifetime(DateTime? notBefore, DateTime? expires)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var skew = TimeSpan.FromSeconds(30);
        return expires is { } exp && now < exp + skew && (notBefore is not { } nbf || now >= nbf - skew);
    }
}

public sealed record IssuedToken(string AccessToken, int ExpiresIn);
