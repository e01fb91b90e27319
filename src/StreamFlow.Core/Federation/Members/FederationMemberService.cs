using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Database;
using StreamFlow.Core.Federation.Signatures;
using StreamFlow.Core.Json;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Federation.Members;

/// <summary>
/// Registers a member instance this hub pulls from: its public base URL and the key the hub signs with — the shared
/// secret the member generated for this hub (base64), or the hub's Ed25519 private seed (base64url) whose public key
/// was registered on the member.
/// </summary>
public sealed record RegisterFederationMember(string? Name, string? BaseUrl, string? KeyId, string? Algorithm, string? SharedSecret, string? PrivateKey);

/// <summary>A member as the provider sees it: where it is, how fresh its figures are, and the last error.</summary>
/// <param name="Health">pending (never pulled), healthy, stale (last success older than Federation:StaleAfter) or failing.</param>
public sealed record FederationMemberView(
    Guid Id, string Name, string BaseUrl, string KeyId, string Algorithm, string Health, DateTimeOffset? LastAttemptAt,
    DateTimeOffset? LastSuccessAt, long? LagSeconds, string? LastError, int ConsecutiveFailures, long Clients);

/// <summary>One client business in the provider's console, local or held by a member, with how old its figures are.</summary>
public sealed record FederationConsoleClient(string Source, Guid? MemberId, bool Stale, long AgeSeconds, FederationClientSummary Client);

/// <summary>Every client business the provider runs, on this instance and on members, and each member's health.</summary>
public sealed record FederationConsole(DateTimeOffset AsOf, IReadOnlyList<FederationMemberView> Members, IReadOnlyList<FederationConsoleClient> Clients);

/// <summary>The hub side of federation: members, their pulls and the provider's console over local and remote clients.</summary>
public sealed partial class FederationMemberService(
    StreamFlowDatabase database, FederationSecretProtector protector, FederationSummaryService localSummaries,
    FederationMemberClient client, IOptions<FederationOptions> options, TimeProvider time)
{

    public async Task<Result<FederationMemberView>> RegisterAsync(RegisterFederationMember request, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors().Required("name", request.Name, 200);
        var baseUrl = ValidBaseUrl(request.BaseUrl, errors);
        if (request.KeyId is null || !KeyIdPattern().IsMatch(request.KeyId))
        {
            errors.Add("keyId", "is required: the key id registered on the member.");
        }

        var signingKey = request.Algorithm switch
        {
            SignatureAlgorithms.HmacSha256 => SecretOrError(TryBase64(request.SharedSecret), SignatureAlgorithms.HmacSha256, "sharedSecret",
                "is required for hmac-sha256: the shared secret the member generated, base64 (at least 32 bytes).", errors),
            SignatureAlgorithms.Ed25519 => SecretOrError(Base64Url.TryDecode(request.PrivateKey), SignatureAlgorithms.Ed25519, "privateKey",
                "is required for ed25519: this hub's 32-byte private seed, base64url.", errors),
            _ => AlgorithmError(errors),
        };
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var id = Guid.NewGuid();
        var row = new FederationMemberRow
        {
            Id = id,
            Name = request.Name!.Trim(),
            BaseUrl = baseUrl!.AbsoluteUri,
            KeyId = request.KeyId!,
            Algorithm = request.Algorithm!,
            SigningKey = protector.Protect(signingKey!, MemberKeyContext(id)),
            CreatedAt = time.GetUtcNow(),
        };
        var inserted = await database.InPlatformAsync(scope => FederationMemberStore.InsertAsync(scope, row), cancellationToken);
        return inserted ? View(row, time.GetUtcNow()) : Problem.Conflict($"A member named '{row.Name}' is already registered.");
    }

    public async Task<IReadOnlyList<FederationMemberView>> ListAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return (await database.InPlatformAsync(FederationMemberStore.ListAsync, cancellationToken)).Select(m => View(m, now)).ToList();
    }

    /// <summary>Pulls one member now; a failure is recorded on the member (and answered in its view), not thrown.</summary>
    public async Task<Result<FederationMemberView>> PullAsync(Guid memberId, CancellationToken cancellationToken)
    {
        var member = await database.InPlatformAsync(scope => FederationMemberStore.FindAsync(scope, memberId), cancellationToken);
        if (member is null)
        {
            return Problem.NotFound($"Federation member {memberId}");
        }

        var key = new FederationSigningKey(member.KeyId, member.Algorithm, protector.Unprotect(member.SigningKey, MemberKeyContext(member.Id)));
        var answer = await client.ReadSummariesAsync(new Uri(member.BaseUrl), key, cancellationToken);
        var at = time.GetUtcNow();
        await database.InPlatformAsync(async scope =>
        {
            if (answer.Summaries is { } summaries)
            {
                await FederationMemberStore.RecordSuccessAsync(scope, member.Id, at, summaries.AsOf,
                    JsonSerializer.Serialize(summaries.Clients, StreamFlowJson.Options));
            }
            else
            {
                await FederationMemberStore.RecordFailureAsync(scope, member.Id, at, answer.Error!);
            }

            return true;
        }, cancellationToken);

        var pulled = await database.InPlatformAsync(scope => FederationMemberStore.FindAsync(scope, memberId), cancellationToken);
        return View(pulled!, time.GetUtcNow());
    }

    /// <summary>Local clients as of now and every member's last answer, each marked stale when its member is not healthy.</summary>
    public async Task<FederationConsole> ConsoleAsync(CancellationToken cancellationToken)
    {
        var local = await localSummaries.SummariesAsync(cancellationToken);
        var now = local.AsOf;
        var (members, remote) = await database.InPlatformAsync(
            async scope => (await FederationMemberStore.ListAsync(scope), await FederationMemberStore.RemoteClientsAsync(scope)), cancellationToken);
        var views = members.Select(m => View(m, now)).ToDictionary(v => v.Id);
        var clients = local.Clients.Select(c => new FederationConsoleClient("local", null, false, 0, c)).ToList();
        clients.AddRange(remote.Select(r => new FederationConsoleClient(
            views[r.MemberId].Name, r.MemberId, views[r.MemberId].Health != "healthy", (long)(now - r.AsOf).TotalSeconds,
            JsonSerializer.Deserialize<FederationClientSummary>(r.Summary, StreamFlowJson.Options)!)));
        return new FederationConsole(now, views.Values.OrderBy(v => v.Name, StringComparer.Ordinal).ToList(), clients);
    }

    private FederationMemberView View(FederationMemberRow member, DateTimeOffset now)
    {
        var health = member.LastAttemptAt is null ? "pending"
            : member.ConsecutiveFailures > 0 ? "failing"
            : now - member.LastSuccessAt > options.Value.StaleAfter ? "stale"
            : "healthy";
        return new FederationMemberView(member.Id, member.Name, member.BaseUrl, member.KeyId, member.Algorithm, health, member.LastAttemptAt,
            member.LastSuccessAt, member.LastSuccessAt is { } success ? (long)(now - success).TotalSeconds : null, member.LastError,
            member.ConsecutiveFailures, member.Clients);
    }

    private Uri? ValidBaseUrl(string? text, ValidationErrors errors)
    {
        if (!Uri.TryCreate(text?.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http")
            || url.UserInfo.Length > 0 || url.Query.Length > 0 || url.Fragment.Length > 0)
        {
            errors.Add("baseUrl", "must be the member's absolute https URL, without credentials, query or fragment.");
            return null;
        }

        if (url.Scheme == "http" && !(options.Value.AllowLoopbackForDevelopment && url.IsLoopback))
        {
            errors.Add("baseUrl", "must use https (plain http only to a loopback address in local development: Federation:AllowLoopbackForDevelopment).");
            return null;
        }

        return url.AbsolutePath.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
    }

    private static byte[]? SecretOrError(byte[]? material, string algorithm, string field, string message, ValidationErrors errors)
    {
        if (material is null || !SignatureAlgorithms.MaterialFits(algorithm, material))
        {
            errors.Add(field, message);
            return null;
        }

        return material;
    }

    private static byte[]? AlgorithmError(ValidationErrors errors)
    {
        errors.Add("algorithm", "must be hmac-sha256 or ed25519.");
        return null;
    }

    private static byte[]? TryBase64(string? text)
    {
        try
        {
            return string.IsNullOrWhiteSpace(text) ? null : Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string MemberKeyContext(Guid memberId) => $"member:{memberId:N}";

    [GeneratedRegex("^[A-Za-z0-9._-]{1,100}$")]
    private static partial Regex KeyIdPattern();
}
