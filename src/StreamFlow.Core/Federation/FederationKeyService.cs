using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;
using StreamFlow.Core.Federation.Signatures;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Federation;

/// <summary>Registers a peer's key: for hmac-sha256 we generate the shared secret; for ed25519 the peer gives its public key.</summary>
public sealed record RegisterFederationKey(string? KeyId, string? PeerName, string? Algorithm, string? PublicKey);

/// <summary>Ends a key's validity at <paramref name="ValidUntil"/> (default: now plus the rotation overlap; a past time: now).</summary>
public sealed record RetireFederationKey(DateTimeOffset? ValidUntil);

/// <summary>A peer key as the provider sees it; a shared secret is never shown again after registration.</summary>
public sealed record FederationKeyView(
    string KeyId, string PeerName, string Algorithm, string? PublicKey, DateTimeOffset ValidFrom, DateTimeOffset? ValidUntil, string Status);

/// <summary>The registered key, and for hmac-sha256 its shared secret (base64), shown this once.</summary>
public sealed record FederationKeyCreated(FederationKeyView Key, string? SharedSecret);

/// <summary>The keys other StreamFlow instances sign their federation requests with, managed by the provider.</summary>
public sealed partial class FederationKeyService(
    StreamFlowDatabase database, FederationSecretProtector protector, IOptions<FederationOptions> options, TimeProvider time)
{
    public async Task<Result<FederationKeyCreated>> RegisterAsync(RegisterFederationKey request, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (request.KeyId is null || !KeyIdPattern().IsMatch(request.KeyId))
        {
            errors.Add("keyId", "is required: 1 to 100 letters, digits, '.', '_' or '-'.");
        }

        errors.Required("peerName", request.PeerName, 200);
        byte[]? publicKey = null;
        if (request.Algorithm is not (SignatureAlgorithms.HmacSha256 or SignatureAlgorithms.Ed25519))
        {
            errors.Add("algorithm", "must be hmac-sha256 or ed25519.");
        }
        else if (request.Algorithm == SignatureAlgorithms.Ed25519)
        {
            publicKey = Base64Url.TryDecode(request.PublicKey);
            if (publicKey is null || !SignatureAlgorithms.MaterialFits(SignatureAlgorithms.Ed25519, publicKey))
            {
                errors.Add("publicKey", "is required for ed25519: the 32-byte public key, base64url.");
            }
        }
        else if (request.PublicKey is not null)
        {
            errors.Add("publicKey", "is only for ed25519; for hmac-sha256 the shared secret is generated here.");
        }

        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var now = time.GetUtcNow();
        var secret = request.Algorithm == SignatureAlgorithms.HmacSha256 ? SignatureAlgorithms.NewHmacSecret() : null;
        var row = new FederationKeyRow
        {
            KeyId = request.KeyId!,
            PeerName = request.PeerName!.Trim(),
            Algorithm = request.Algorithm!,
            Material = secret is null ? publicKey! : protector.Protect(secret, request.KeyId!),
            ValidFrom = now,
            CreatedAt = now,
        };
        var inserted = await database.InPlatformAsync(scope => FederationKeyStore.InsertAsync(scope, row), cancellationToken);
        return inserted
            ? new FederationKeyCreated(View(row, now), secret is null ? null : Convert.ToBase64String(secret))
            : Problem.Conflict($"Key id '{request.KeyId}' is already registered; rotate by registering a new key id.");
    }

    public async Task<IReadOnlyList<FederationKeyView>> ListAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var rows = await database.InPlatformAsync(FederationKeyStore.ListAsync, cancellationToken);
        return rows.Select(row => View(row, now)).ToList();
    }

    public async Task<Result<FederationKeyView>> RetireAsync(string keyId, RetireFederationKey request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // A time already past revokes at once: the safe reading of a clock a little behind ours.
        var validUntil = request.ValidUntil is { } until ? (until < now ? now : until) : now + options.Value.KeyRotationOverlap;

        var row = await database.InPlatformAsync(scope => FederationKeyStore.RetireAsync(scope, keyId, validUntil), cancellationToken);
        if (row is not null)
        {
            return View(row, now);
        }

        var existing = await database.InPlatformAsync(scope => FederationKeyStore.FindAsync(scope, keyId), cancellationToken);
        return existing is null ? Problem.NotFound($"Federation key '{keyId}'") : View(existing, now);
    }

    private static FederationKeyView View(FederationKeyRow row, DateTimeOffset now) => new(
        row.KeyId,
        row.PeerName,
        row.Algorithm,
        row.Algorithm == SignatureAlgorithms.Ed25519 ? Base64Url.Encode(row.Material) : null,
        row.ValidFrom,
        row.ValidUntil,
        row.ValidUntil is { } until && until < now ? "retired" : row.ValidUntil is null ? "active" : "retiring");

    [GeneratedRegex("^[A-Za-z0-9._-]{1,100}$")]
    private static partial Regex KeyIdPattern();
}
