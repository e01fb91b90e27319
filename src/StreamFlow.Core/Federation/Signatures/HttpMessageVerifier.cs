using System.Text;

namespace StreamFlow.Core.Federation.Signatures;

/// <summary>Looks up the keys a peer may sign with, by key id.</summary>
internal interface IFederationKeyRing
{
    Task<FederationVerificationKey?> FindAsync(string keyId, CancellationToken cancellationToken);
}

/// <summary>Remembers nonces until their signature expires, so a captured request cannot be replayed.</summary>
internal interface INonceLedger
{
    /// <summary>False when this key already used this nonce and the record has not been forgotten yet.</summary>
    Task<bool> TryRecordAsync(string keyId, string nonce, DateTimeOffset forgetAfter, CancellationToken cancellationToken);
}

/// <summary>What a verifier insists on beyond a valid signature.</summary>
/// <param name="Label">The signature label to verify; null accepts a sole signature of any label.</param>
/// <param name="RequiredComponents">Components the signature must cover.</param>
/// <param name="ClockSkew">Tolerance either side of <c>created</c> and <c>expires</c>.</param>
/// <param name="MaxValidity">Longest allowed span from <c>created</c> to <c>expires</c>, or age without <c>expires</c>.</param>
/// <param name="RequireExpiresAndNonce">Whether <c>expires</c> and <c>nonce</c> must be present.</param>
internal sealed record SignaturePolicy(
    string? Label, IReadOnlyList<string> RequiredComponents, TimeSpan ClockSkew, TimeSpan MaxValidity, bool RequireExpiresAndNonce)
{
    /// <summary>Federation requests: method, full target and body digest covered; ±60 s; nonce and expiry required.</summary>
    public static SignaturePolicy Federation { get; } = new(
        HttpMessageSigner.Label, ["@method", "@target-uri", ContentDigest.FieldName], TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(5), true);
}

internal enum SignatureFailure
{
    Missing,
    Malformed,
    ComponentNotCovered,
    UnknownKey,
    KeyNotValidNow,
    AlgorithmMismatch,
    NotYetValid,
    Expired,
    DigestMismatch,
    BadSignature,
    Replayed,
}

internal sealed record SignatureVerdict(string? KeyId, SignatureFailure? Failure, string Detail)
{
    public bool Verified => Failure is null;

    public static SignatureVerdict Fail(SignatureFailure failure, string detail, string? keyId = null) => new(keyId, failure, detail);
}

/// <summary>
/// Verifies an RFC 9421 signature on a request in the order docs/federation-signatures.md publishes: parse, check the
/// policy, the time window and the key, rebuild the signature base, check the digest and the signature, and only
/// then spend the nonce (so a forger cannot burn a legitimate sender's nonces).
/// </summary>
internal sealed class HttpMessageVerifier(IFederationKeyRing keys, INonceLedger nonces, TimeProvider time)
{
    public async Task<SignatureVerdict> VerifyAsync(
        SignedRequestParts request, ReadOnlyMemory<byte> content, SignaturePolicy policy, CancellationToken cancellationToken)
    {
        var found = FindSignature(request, policy.Label);
        if (found.Verdict is not null)
        {
            return found.Verdict;
        }

        var (signatureParams, signature) = (found.Params!, found.Signature!);
        var parameters = SignatureParameters.From(signatureParams);
        if (parameters.Problem is { } malformed)
        {
            return SignatureVerdict.Fail(SignatureFailure.Malformed, malformed, parameters.KeyId);
        }

        var keyId = parameters.KeyId!;
        var covered = signatureParams.Items.Select(i => i.Value as string).ToHashSet(StringComparer.Ordinal);
        var uncovered = policy.RequiredComponents.FirstOrDefault(c => !covered.Contains(c));
        if (uncovered is not null)
        {
            return SignatureVerdict.Fail(SignatureFailure.ComponentNotCovered, $"the signature must cover \"{uncovered}\"", keyId);
        }

        var timing = CheckTime(parameters, policy, time.GetUtcNow());
        if (timing is not null)
        {
            return timing with { KeyId = keyId };
        }

        var key = await keys.FindAsync(keyId, cancellationToken);
        if (key is null)
        {
            return SignatureVerdict.Fail(SignatureFailure.UnknownKey, $"key \"{keyId}\" is not known", keyId);
        }

        if (!key.IsValidAt(time.GetUtcNow()))
        {
            return SignatureVerdict.Fail(SignatureFailure.KeyNotValidNow, $"key \"{keyId}\" is outside its validity window", keyId);
        }

        if (parameters.Algorithm is { } alg && alg != key.Algorithm)
        {
            return SignatureVerdict.Fail(SignatureFailure.AlgorithmMismatch, $"alg \"{alg}\" does not match the key's algorithm", keyId);
        }

        var signatureBase = SignatureBase.Build(request, signatureParams, out var baseProblem);
        if (signatureBase is null)
        {
            return SignatureVerdict.Fail(SignatureFailure.Malformed, baseProblem!, keyId);
        }

        if (covered.Contains(ContentDigest.FieldName) && !ContentDigest.Matches(request.Headers.GetValueOrDefault(ContentDigest.FieldName), content.Span))
        {
            return SignatureVerdict.Fail(SignatureFailure.DigestMismatch, "content-digest does not match the body", keyId);
        }

        if (!SignatureAlgorithms.Verify(key, Encoding.ASCII.GetBytes(signatureBase), signature))
        {
            return SignatureVerdict.Fail(SignatureFailure.BadSignature, "the signature does not verify", keyId);
        }

        if (parameters.Nonce is { } nonce)
        {
            var forgetAfter = (parameters.Expires ?? parameters.Created!.Value + policy.MaxValidity) + policy.ClockSkew;
            if (!await nonces.TryRecordAsync(keyId, nonce, forgetAfter, cancellationToken))
            {
                return SignatureVerdict.Fail(SignatureFailure.Replayed, "this nonce was already used", keyId);
            }
        }

        return new SignatureVerdict(keyId, null, "verified");
    }

    private static SignatureVerdict? CheckTime(SignatureParameters parameters, SignaturePolicy policy, DateTimeOffset now)
    {
        if (parameters.Created is not { } created)
        {
            return SignatureVerdict.Fail(SignatureFailure.Malformed, "created is required");
        }

        if (policy.RequireExpiresAndNonce && (parameters.Expires is null || parameters.Nonce is null))
        {
            return SignatureVerdict.Fail(SignatureFailure.Malformed, "expires and nonce are required");
        }

        if (created > now + policy.ClockSkew)
        {
            return SignatureVerdict.Fail(SignatureFailure.NotYetValid, "created is in the future beyond the allowed clock skew");
        }

        var expires = parameters.Expires ?? created + policy.MaxValidity;
        if (expires - created > policy.MaxValidity || expires < created)
        {
            return SignatureVerdict.Fail(SignatureFailure.Malformed, $"a signature may be valid for at most {policy.MaxValidity.TotalSeconds:0} s");
        }

        return expires + policy.ClockSkew < now
            ? SignatureVerdict.Fail(SignatureFailure.Expired, "the signature has expired")
            : null;
    }

    private static (SfInnerList? Params, byte[]? Signature, SignatureVerdict? Verdict) FindSignature(SignedRequestParts request, string? label)
    {
        if (!request.Headers.TryGetValue("signature-input", out var inputField) || !request.Headers.TryGetValue("signature", out var signatureField))
        {
            return (null, null, SignatureVerdict.Fail(SignatureFailure.Missing, "Signature-Input and Signature are required"));
        }

        var inputs = StructuredFields.ParseDictionary(inputField);
        var signatures = StructuredFields.ParseDictionary(signatureField);
        if (inputs is null || signatures is null)
        {
            return (null, null, SignatureVerdict.Fail(SignatureFailure.Malformed, "Signature-Input or Signature is not a structured dictionary"));
        }

        var chosen = label ?? (inputs.Count == 1 ? inputs[0].Key : null);
        if (chosen is null)
        {
            return (null, null, SignatureVerdict.Fail(SignatureFailure.Malformed, "several signatures and no label to choose one"));
        }

        var input = inputs.FirstOrDefault(m => m.Key == chosen).Value;
        var signature = signatures.FirstOrDefault(m => m.Key == chosen).Value;
        if (input is null || signature is null)
        {
            return (null, null, SignatureVerdict.Fail(SignatureFailure.Missing, $"no signature labelled \"{chosen}\""));
        }

        return input is SfInnerList list && signature is SfItem { Value: byte[] bytes }
            ? (list, bytes, null)
            : (null, null, SignatureVerdict.Fail(SignatureFailure.Malformed, $"signature \"{chosen}\" is not an inner list and a byte sequence"));
    }
}
