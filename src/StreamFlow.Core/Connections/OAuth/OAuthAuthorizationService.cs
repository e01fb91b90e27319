using System.Security.Cryptography;
using System.Text;
using System.Buffers.Text;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Connections.OAuth;

/// <summary>The consent URL a connection's owner opens (state and PKCE challenge in it) and how long it stays good.</summary>
public sealed record OAuthAuthorizationStart(string AuthorizationUrl, DateTimeOffset ExpiresAt);

/// <summary>The callback's outcome: the connection now holds tokens.</summary>
public sealed record OAuthAuthorizationDone(Guid ConnectionId, string Kind, string Status);

/// <summary>
/// OAuth2 authorization code with PKCE (RFC 7636, S256) for connections whose kind is an <see cref="IOAuthConnector"/>.
/// The state is <c>{tenant}.{random}</c>: the tenant part finds the row under row-level security, only the SHA-256 of
/// the whole state is stored, and it is single use, bound to the user who started it, and expires after ten minutes.
/// </summary>
public sealed class OAuthAuthorizationService(
    StreamFlowDatabase database, IEnumerable<IOAuthConnector> connectors, ConnectionSecretProtector protector, OAuthTokenClient tokens, TimeProvider time)
{
    private static readonly TimeSpan StateLifetime = TimeSpan.FromMinutes(10);
    private readonly Dictionary<string, IOAuthConnector> _connectors = connectors.ToDictionary(c => c.Kind, StringComparer.Ordinal);

    public async Task<Result<OAuthAuthorizationStart>> StartAsync(Guid tenantId, Guid userId, Guid connectionId, CancellationToken cancellationToken) =>
        await database.InTenantAsync(tenantId, async scope =>
        {
            if (await ConnectionStore.GetAsync(scope, connectionId) is not { } connection)
            {
                return (Result<OAuthAuthorizationStart>)Problem.NotFound("The connection");
            }

            if (!_connectors.TryGetValue(connection.Kind, out var connector))
            {
                return Problem.Conflict($"Connections of kind {connection.Kind} are not authorized by OAuth2.");
            }

            var client = connector.Client(connection.SettingsElement());
            var now = time.GetUtcNow();
            var state = $"{tenantId:N}.{Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32))}";
            var verifier = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
            var challenge = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
            await OAuthStateStore.PurgeAsync(scope, connectionId, now);
            await OAuthStateStore.InsertAsync(scope, Hash(state), tenantId, connectionId, userId,
                protector.Protect(new Dictionary<string, string> { ["codeVerifier"] = verifier }, tenantId, connectionId), client.RedirectUri,
                now + StateLifetime, now);
            var query = new (string Name, string Value)[]
            {
                ("client_id", client.ClientId), ("response_type", "code"), ("scope", client.Scope), ("redirect_uri", client.RedirectUri),
                ("state", state), ("code_challenge", challenge), ("code_challenge_method", "S256"),
            };
            var url = client.AuthorizationEndpoint + (client.AuthorizationEndpoint.Contains('?', StringComparison.Ordinal) ? "&" : "?")
                + string.Join('&', query.Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value)}"));
            return new OAuthAuthorizationStart(url, now + StateLifetime);
        }, cancellationToken);

    /// <summary>
    /// Exchanges the callback's code for tokens. A state that is unknown, used or expired is 410 and changes nothing; a
    /// vendor error (<c>error=access_denied</c>) or a refused exchange is 422 naming it.
    /// </summary>
    public async Task<Result<OAuthAuthorizationDone>> CompleteAsync(IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var state = parameters.GetValueOrDefault("state");
        if (string.IsNullOrEmpty(state) || state.Length > 200 || state.IndexOf('.', StringComparison.Ordinal) != 32
            || !Guid.TryParseExact(state[..32], "N", out var tenantId))
        {
            return Problem.Validation("state", "is missing or is not a state this service issued.");
        }

        var now = time.GetUtcNow();
        var claimed = await database.InTenantAsync(tenantId, scope => OAuthStateStore.ClaimAsync(scope, Hash(state), now), cancellationToken);
        if (claimed is null || claimed.ExpiresAt <= now)
        {
            return new Problem(ProblemKind.Gone, "This authorization was already used or has expired; start it again from the connection.");
        }

        if (parameters.GetValueOrDefault("error") is { Length: > 0 } refused)
        {
            return new Problem(ProblemKind.Unprocessable, $"The vendor did not grant access: {Clip(refused)}.",
                Errors: new Dictionary<string, string[]> { ["error"] = [Clip(refused)] });
        }

        if (parameters.GetValueOrDefault("code") is not { Length: > 0 and <= 2000 } code)
        {
            return Problem.Validation("code", "is required.");
        }

        var connection = await database.InTenantAsync(tenantId, scope => ConnectionStore.GetAsync(scope, claimed.ConnectionId), cancellationToken);
        if (connection is null || !_connectors.TryGetValue(connection.Kind, out var connector))
        {
            return Problem.NotFound("The connection");
        }

        var errors = new ValidationErrors();
        var settings = connector.AcceptCallback(connection.SettingsElement(), parameters, errors);
        if (errors.ToProblem() is { } invalid)
        {
            return invalid;
        }

        var verifier = protector.Unprotect(claimed.VerifierCiphertext, tenantId, claimed.ConnectionId)["codeVerifier"];
        OAuthTokenSet granted;
        try
        {
            granted = await tokens.ExchangeCodeAsync(connector.Client(settings) with { RedirectUri = claimed.RedirectUri }, code, verifier, cancellationToken);
        }
        catch (ConnectorException failure)
        {
            return new Problem(ProblemKind.Unprocessable, failure.Message, Errors: new Dictionary<string, string[]> { ["code"] = [failure.Message] });
        }

        return await database.InTenantAsync(tenantId, async scope =>
        {
            if (await ConnectionStore.LockAsync(scope, claimed.ConnectionId) is not { } current)
            {
                return (Result<OAuthAuthorizationDone>)Problem.NotFound("The connection");
            }

            var credentials = OAuthCredentials.Merge(SafeUnprotect(current), granted);
            await ConnectionStore.AuthorizeAsync(scope, current.Id, settings.GetRawText(), protector.Protect(credentials, tenantId, current.Id), now);
            return new OAuthAuthorizationDone(current.Id, current.Kind, "connected");
        }, cancellationToken);
    }

    internal static byte[] Hash(string state) => SHA256.HashData(Encoding.UTF8.GetBytes(state));

    private Dictionary<string, string> SafeUnprotect(ConnectionRow row)
    {
        try
        {
            return protector.Unprotect(row.CredentialsCiphertext, row.TenantId, row.Id).ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        }
        catch (CryptographicException)
        {
            return [];
        }
    }

    private static string Clip(string text) => text.Length > 100 ? text[..100] : text;
}
