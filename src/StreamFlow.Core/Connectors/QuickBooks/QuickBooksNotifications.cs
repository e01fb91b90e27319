using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Connectors.QuickBooks;

/// <summary>What a webhook notification did: the companies it named and the connections whose sync it brought forward.</summary>
public sealed record QuickBooksNotificationReceipt(int Realms, int ConnectionsQueued);

/// <summary>
/// Intuit's webhook notifications: <c>intuit-signature</c> is the base64 HMAC-SHA256 of the raw body under the app's
/// verifier token, compared in constant time; anything else is 401 and changes nothing. A notification carries only
/// entity ids per realm, so it brings the next sync of every connection to that company forward to now; the sync's cdc
/// then reads what changed.
/// </summary>
public sealed class QuickBooksNotifications(StreamFlowDatabase database, IOptions<QuickBooksOptions> options, TimeProvider time, ILogger<QuickBooksNotifications> logger)
{
    public const string SignatureHeader = "intuit-signature";

    public async Task<Result<QuickBooksNotificationReceipt>> ReceiveAsync(byte[] body, string? signature, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (options.Value.WebhookVerifierToken is not { Length: > 0 } verifier)
        {
            return new Problem(ProblemKind.Unavailable, "QuickBooks notifications are not configured on this deployment (Connectors:QuickBooks:WebhookVerifierToken).");
        }

        if (!Verifies(body, signature, verifier))
        {
            return Problem.Unauthorized("The intuit-signature header does not match the payload.");
        }

        Notification? notification;
        try
        {
            notification = JsonSerializer.Deserialize<Notification>(body);
        }
        catch (JsonException)
        {
            notification = null;
        }

        var realms = notification?.EventNotifications?.Select(e => e.RealmId).OfType<string>().Where(r => r.Length is > 0 and <= 32).Distinct(StringComparer.Ordinal).ToList();
        if (realms is null)
        {
            return Problem.Validation("eventNotifications", "is required: the documented webhook payload.");
        }

        var queued = 0;
        var now = time.GetUtcNow();
        foreach (var realm in realms)
        {
            var found = await database.InPlatformAsync(scope => ConnectionStore.FindByRealmAsync(scope, QuickBooksConnector.KindName, realm), cancellationToken);
            foreach (var connection in found)
            {
                if (await database.InTenantAsync(connection.TenantId, scope => ConnectionStore.RequestSyncAsync(scope, connection.ConnectionId, now), cancellationToken))
                {
                    queued++;
                }
            }
        }

        logger.LogInformation("QuickBooks notification for {Realms} companies brought {Queued} syncs forward", realms.Count, queued);
        return new QuickBooksNotificationReceipt(realms.Count, queued);
    }

    internal static bool Verifies(byte[] body, string? signature, string verifier)
    {
        if (string.IsNullOrEmpty(signature) || signature.Length > 200)
        {
            return false;
        }

        var provided = new byte[150];
        if (!Convert.TryFromBase64String(signature.Trim(), provided, out var length))
        {
            return false;
        }

        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(verifier), body);
        return CryptographicOperations.FixedTimeEquals(expected, provided.AsSpan(0, length));
    }

    private sealed record Notification([property: JsonPropertyName("eventNotifications")] IReadOnlyList<EventNotification>? EventNotifications);

    private sealed record EventNotification([property: JsonPropertyName("realmId")] string? RealmId);
}
