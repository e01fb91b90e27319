using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using StreamFlow.Core.Federation;
using StreamFlow.Functions.Http;
using StreamFlow.Functions.OpenApi;

namespace StreamFlow.Functions.Federation;

/// <summary>What a federation hub may ask this instance, only with a valid signature: aggregates, never personal data.</summary>
public sealed class FederationFunctions(FederationSummaryService summaries)
{
    [Function("GetFederationClientSummaries")]
    [FederationAccess]
    [ApiOperation("Every client business on this instance as counts and sums over the last 30 days (users, leads created, won, lost, won revenue per "
        + "currency, last sign-in). Signed server-to-server requests only (RFC 9421, docs/federation-signatures.md); no lead, contact or user is ever sent.",
        Tag = "Federation", Response = typeof(FederationClientSummaries))]
    public async Task<IResult> Summaries(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/federation/clients")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await summaries.SummariesAsync(cancellationToken));
}

/// <summary>The provider's registry of the keys other StreamFlow instances sign federation requests with.</summary>
public sealed class FederationKeyFunctions(FederationKeyService keys, RequestBody body)
{
    [Function("ListFederationKeys")]
    [ProviderAccess]
    [ApiOperation("The keys peer instances sign with, newest first, with status active, retiring (valid until a set time) or retired.",
        Tag = "Federation", Response = typeof(IReadOnlyList<FederationKeyView>))]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/provider/federation/keys")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Json(await keys.ListAsync(cancellationToken));

    [Function("RegisterFederationKey")]
    [ProviderAccess]
    [ApiOperation("Registers a peer's key: hmac-sha256 (the shared secret is generated and shown in this answer only) or ed25519 (send the peer's "
        + "32-byte public key, base64url). To rotate, register a new key id and retire the old one.",
        Tag = "Federation", RequestBody = typeof(RegisterFederationKey), Response = typeof(FederationKeyCreated), SuccessStatus = 201, Problems = [409])]
    public async Task<IResult> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/provider/federation/keys")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var registration = await body.ReadJsonAsync<RegisterFederationKey>(request, cancellationToken);
        return registration.Succeeded
            ? ApiResults.From(await keys.RegisterAsync(registration.Value, cancellationToken), created => ApiResults.Json(created, StatusCodes.Status201Created), request)
            : ApiResults.Problem(registration.Problem, request.HttpContext);
    }

    [Function("RetireFederationKey")]
    [ProviderAccess]
    [ApiOperation("Ends a key's validity at validUntil (default: now plus Federation:KeyRotationOverlap, 24 h), so the old and the new key both verify "
        + "during the overlap; validUntil now revokes at once.",
        Tag = "Federation", RequestBody = typeof(RetireFederationKey), Response = typeof(FederationKeyView), Problems = [404])]
    public async Task<IResult> Retire(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/provider/federation/keys/{keyId}/retire")] HttpRequest request,
        string keyId,
        CancellationToken cancellationToken)
    {
        var retirement = await body.ReadOptionalJsonAsync(request, new RetireFederationKey(null), cancellationToken);
        return retirement.Succeeded
            ? ApiResults.From(await keys.RetireAsync(keyId, retirement.Value, cancellationToken), view => ApiResults.Json(view), request)
            : ApiResults.Problem(retirement.Problem, request.HttpContext);
    }
}
