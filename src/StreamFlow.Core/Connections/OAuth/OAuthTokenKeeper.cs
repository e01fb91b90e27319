using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Connections.OAuth;

/// <summary>
/// Hands connectors a live access token: the stored one while it has more than <see cref="Margin"/> left, else a
/// refreshed one. A refresh runs under the connection row's lock and re-reads the credentials first, so two pages that
/// both find the token stale refresh once (vendors such as Intuit rotate refresh tokens: a second refresh with the old
/// one would be refused). A refused refresh is <see cref="ConnectorFailure.Unauthorized"/>: the sync fails and the
/// connection is broken, with no retry until it is connected again.
/// </summary>
public sealed class OAuthTokenKeeper(
    StreamFlowDatabase database, ConnectionSecretProtector protector, OAuthTokenClient tokens, TimeProvider time, ILogger<OAuthTokenKeeper> logger)
{
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(5);

    /// <param name="rejected">The access token the vendor just answered 401 to: refresh even if it looks unexpired.</param>
    public async Task<string> AccessTokenAsync(ConnectorContext context, OAuthClientSettings client, string? rejected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(client);
        if (rejected is null && Usable(context.Credentials) is { } current)
        {
            return current;
        }

        return await database.InTenantAsync(context.TenantId, async scope =>
        {
            var row = await ConnectionStore.LockAsync(scope, context.ConnectionId)
                ?? throw new ConnectorException(ConnectorFailure.Unauthorized, "The connection no longer exists.");
            IReadOnlyDictionary<string, string> stored;
            try
            {
                stored = protector.Unprotect(row.CredentialsCiphertext, row.TenantId, row.Id);
            }
            catch (CryptographicException exception)
            {
                throw new ConnectorException(ConnectorFailure.Unauthorized, "The stored tokens cannot be read; connect the account again.", inner: exception);
            }

            if (Usable(stored) is { } fresh && fresh != rejected)
            {
                return fresh;
            }

            var refresh = stored.GetValueOrDefault(OAuthCredentials.RefreshToken)
                ?? throw new ConnectorException(ConnectorFailure.Unauthorized, "The connection has not been authorized yet; connect the account first.");
            var granted = await tokens.RefreshAsync(client, refresh, cancellationToken);
            await ConnectionStore.UpdateCredentialsAsync(scope, row.Id, protector.Protect(OAuthCredentials.Merge(stored, granted), row.TenantId, row.Id), time.GetUtcNow());
            logger.LogInformation("Refreshed the access token of connection {ConnectionId} ({Kind})", row.Id, row.Kind);
            return granted.AccessToken;
        }, cancellationToken);
    }

    private string? Usable(IReadOnlyDictionary<string, string> credentials) =>
        credentials.GetValueOrDefault(OAuthCredentials.AccessToken) is { Length: > 0 } token
        && OAuthCredentials.Expiry(credentials) is { } expires && expires - time.GetUtcNow() > Margin
            ? token
            : null;
}
