using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamFlow.Core.Connections;
using StreamFlow.Core.Database;
using StreamFlow.Core.Email;

namespace StreamFlow.Core.Connectors.Health;

/// <summary>
/// How one connection is doing: its health (new, ok, error, broken), the last success and the last error, how far its
/// data lags (<see cref="LagSeconds"/>: since the last success, or since it was created if it never succeeded) and the
/// failed syncs in a row since the last success.
/// </summary>
public sealed record ConnectionHealthView(
    Guid ConnectionId, string Kind, string Name, string Health, bool Enabled, string Schedule, DateTimeOffset? LastSyncAt, DateTimeOffset? LastSuccessAt,
    ConnectionError? LastError, long LagSeconds, int ConsecutiveFailures, DateTimeOffset? NextSyncAt);

public sealed record ConnectionHealthList(IReadOnlyList<ConnectionHealthView> Items, int FailureAlertAfter);

/// <summary>Settings of connection observability (section <c>Connectors:Health</c>).</summary>
public sealed class ConnectorHealthOptions
{
    public const string Section = "Connectors:Health";

    /// <summary>Failed syncs in a row after which the owners are emailed, once per breakage.</summary>
    public int FailureAlertAfter { get; set; } = 3;
}

/// <summary>Connection health for the route and the owner's report, and the owners' email after repeated failures (docs/connectors.md).</summary>
public sealed class ConnectorHealth(
    StreamFlowDatabase database, TenantAdminMailer admins, IOptions<ConnectorHealthOptions> options, TimeProvider time, ILogger<ConnectorHealth> logger)
{
    public async Task<ConnectionHealthList> ListAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var rows = await database.InTenantAsync(tenantId, scope => ConnectorHealthStore.HealthAsync(scope, null), cancellationToken);
        return new ConnectionHealthList(rows.Select(row => View(row, now)).ToList(), Math.Max(1, options.Value.FailureAlertAfter));
    }

    /// <summary>
    /// After a sync ends: when the connection has failed <see cref="ConnectorHealthOptions.FailureAlertAfter"/> times in a
    /// row, its owners get one email for this breakage (a broken connection's email is sent when it breaks, so not here).
    /// Returns whether this call sent it.
    /// </summary>
    public async Task<bool> AlertIfFailingAsync(Guid tenantId, Guid connectionId, CancellationToken cancellationToken)
    {
        var threshold = Math.Max(1, options.Value.FailureAlertAfter);
        var now = time.GetUtcNow();
        var row = await database.InTenantAsync(tenantId, async scope =>
        {
            var found = (await ConnectorHealthStore.HealthAsync(scope, connectionId)).SingleOrDefault();
            return found is { ConsecutiveFailures: var failures, Health: not "broken" } && failures >= threshold
                && await ConnectorHealthStore.ClaimAlertAsync(scope, tenantId, connectionId, found.LastSuccessAt ?? found.CreatedAt, failures, now)
                ? found
                : null;
        }, cancellationToken);
        if (row is null)
        {
            return false;
        }

        var sent = await admins.SendAsync(tenantId, $"StreamFlow: the connection \"{row.Name}\" has failed {row.ConsecutiveFailures} syncs in a row",
            $"The {row.Kind} connection \"{row.Name}\" has not synced successfully "
            + (row.LastSuccessAt is { } last ? $"since {last:yyyy-MM-dd HH:mm} UTC" : "since it was created")
            + $"; its last {row.ConsecutiveFailures} syncs failed. The last error:\n\n{row.LastError}\n\n"
            + "StreamFlow keeps trying on schedule; you are told once until it succeeds again. Open the connection in StreamFlow to see its syncs and log.",
            cancellationToken);
        logger.LogInformation("Connection {ConnectionId} failed {Failures} syncs in a row; {Sent} owners and admins emailed", connectionId, row.ConsecutiveFailures, sent);
        return true;
    }

    private static ConnectionHealthView View(ConnectionHealthRow row, DateTimeOffset now) =>
        new(row.Id, row.Kind, row.Name, row.Health, row.Enabled, row.Schedule, row.LastSyncAt, row.LastSuccessAt,
            row.LastError is null ? null : new ConnectionError(row.LastErrorKind ?? "unknown", row.LastError, row.LastErrorAt ?? row.LastSyncAt ?? row.CreatedAt),
            (long)Math.Max(0, (now - (row.LastSuccessAt ?? row.CreatedAt)).TotalSeconds), row.ConsecutiveFailures, row.NextSyncAt);
}
