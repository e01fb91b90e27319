using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Configuration;
using StreamFlow.Core.Audit;
using StreamFlow.Core.Federation.Signatures;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.RateLimiting;

namespace StreamFlow.Functions.Http;

/// <summary>Another StreamFlow instance, proving itself with an RFC 9421 signature (docs/federation-signatures.md).</summary>
public sealed class FederationAccessAttribute : AccessAttribute
{
    public override string SecurityScheme => "federationSignature";
}

/// <summary>The peer instance a verified signature names, by the key it signed with.</summary>
public sealed record FederationPeer(string KeyId);

/// <summary>
/// Admits <see cref="FederationAccessAttribute"/> callers: verifies the request's signature and body digest under the
/// federation policy; every refusal is a 401 naming the reason, and audited.
/// </summary>
internal sealed class FederationAuthenticator(HttpMessageVerifier verifier, ApiRateLimiter rateLimiter, AuditLog audit, IConfiguration configuration)
    : ICallerAuthenticator
{
    private const int MaxSignedBodyBytes = 1024 * 1024;

    private readonly int _requestsPerMinute = configuration.GetValue("RateLimits:FederationRequestsPerMinute", 600);

    public Type Access => typeof(FederationAccessAttribute);

    public async Task<Result<object>> AdmitAsync(HttpRequest request, AccessAttribute access, CancellationToken cancellationToken)
    {
        var body = await BufferedBodyAsync(request, cancellationToken);
        if (body is null)
        {
            return new Problem(ProblemKind.PayloadTooLarge, $"A signed federation request body is at most {MaxSignedBodyBytes} bytes.");
        }

        var parts = SignedRequestParts.Create(request.Method, new Uri(request.GetEncodedUrl()), request.Headers.Select(h => new KeyValuePair<string, IEnumerable<string>>(h.Key, h.Value.Select(v => v ?? ""))));
        var verdict = await verifier.VerifyAsync(parts, body, SignaturePolicy.Federation, cancellationToken);
        await audit.RecordAsync(new AuditEvent(AuditSystem.Platform, null, verdict.KeyId is null ? "anonymous" : $"federation:{verdict.KeyId}",
            verdict.Verified ? "federation.request" : "federation.signature.refused", $"{request.Method} {request.Path}",
            verdict.Verified ? AuditOutcome.Succeeded : AuditOutcome.Refused, RequestOrigins.Of(request),
            verdict.Verified ? null : new JsonObject { ["reason"] = verdict.Failure.ToString(), ["detail"] = verdict.Detail }), cancellationToken);
        if (!verdict.Verified)
        {
            return Problem.Unauthorized($"The federation signature was refused: {verdict.Detail}.");
        }

        var limited = rateLimiter.TryAcquire(($"federation:{verdict.KeyId}", _requestsPerMinute));
        return limited is null ? new FederationPeer(verdict.KeyId!) : limited;
    }

    private static async Task<byte[]?> BufferedBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        request.EnableBuffering(MaxSignedBodyBytes);
        using var copy = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (copy.Length + read > MaxSignedBodyBytes)
            {
                return null;
            }

            copy.Write(buffer, 0, read);
        }

        request.Body.Position = 0;
        return copy.ToArray();
    }
}
