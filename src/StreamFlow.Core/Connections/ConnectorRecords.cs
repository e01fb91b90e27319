using StreamFlow.Core.Database;
using StreamFlow.Core.Kernel;

namespace StreamFlow.Core.Connections;

/// <summary>Which vendor record one of ours became on a connection, with the vendor's concurrency token and status.</summary>
public sealed record ConnectorRecord(
    string Entity, Guid LocalId, string ExternalId, string? SyncToken, string? PushedHash, string? RemoteStatus, decimal? RemoteAmount, decimal? RemoteBalance,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record ConnectorRecordPage(IReadOnlyList<ConnectorRecord> Items, string? NextCursor);

/// <summary>What a sync did to one record and why: <see cref="Action"/> is created, updated, skipped, conflict or failed.</summary>
public sealed record SyncLogEntry(Guid Id, string Entity, Guid? LocalId, string? ExternalId, string Action, string? Reason, DateTimeOffset At);

public sealed record SyncLogPage(IReadOnlyList<SyncLogEntry> Items, string? NextCursor);

/// <summary>
/// The id map between our records and a vendor's (per connection and entity) and the per-record sync log. Connectors
/// write both one record at a time, so a page cut short by a crash keeps what it had done and runs again from there.
/// </summary>
public sealed class ConnectorRecords(StreamFlowDatabase database, TimeProvider time)
{
    public Task<ConnectorRecord?> FindAsync(Guid tenantId, Guid connectionId, string entity, Guid localId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, scope => ConnectorRecordStore.FindAsync(scope, connectionId, entity, localId), cancellationToken);

    public Task<ConnectorRecord?> FindByExternalAsync(Guid tenantId, Guid connectionId, string entity, string externalId, CancellationToken cancellationToken) =>
        database.InTenantAsync(tenantId, scope => ConnectorRecordStore.FindByExternalAsync(scope, connectionId, entity, externalId), cancellationToken);

    public async Task<IReadOnlyDictionary<Guid, ConnectorRecord>> FindManyAsync(
        Guid tenantId, Guid connectionId, string entity, IReadOnlyCollection<Guid> localIds, CancellationToken cancellationToken) =>
        (await database.InTenantAsync(tenantId, scope => ConnectorRecordStore.FindManyAsync(scope, connectionId, entity, localIds), cancellationToken))
            .ToDictionary(record => record.LocalId);

    /// <summary>Records the mapping and what the sync did, in one transaction.</summary>
    public Task SaveAsync(ConnectorContext context, ConnectorRecord record, string action, string? reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(record);
        var now = time.GetUtcNow();
        return database.InTenantAsync(context.TenantId, async scope =>
        {
            await ConnectorRecordStore.UpsertAsync(scope, context.TenantId, context.ConnectionId, record, now);
            await LogInAsync(scope, context, record.Entity, record.LocalId, record.ExternalId, action, reason, now);
            return true;
        }, cancellationToken);
    }

    public Task LogAsync(ConnectorContext context, string entity, Guid? localId, string? externalId, string action, string? reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return database.InTenantAsync(context.TenantId, async scope =>
        {
            await LogInAsync(scope, context, entity, localId, externalId, action, reason, time.GetUtcNow());
            return true;
        }, cancellationToken);
    }

    public async Task<Result<SyncLogPage>> LogPageAsync(Guid tenantId, Guid connectionId, string syncId, int limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(syncId, out var sync))
        {
            return Problem.NotFound("The sync");
        }

        Guid? after = null;
        if (cursor is not null)
        {
            if (!Cursor.TryDecode(cursor, 64, out var key) || !Guid.TryParseExact(key, "N", out var parsed))
            {
                return Problem.Validation("cursor", Cursor.NotOurs);
            }

            after = parsed;
        }

        return await database.InTenantAsync(tenantId, async scope =>
        {
            if (await ConnectionStore.GetSyncAsync(scope, connectionId, sync) is null)
            {
                return (Result<SyncLogPage>)Problem.NotFound("The sync");
            }

            var rows = await ConnectorRecordStore.LogAsync(scope, sync, after, limit + 1);
            var items = rows.Take(limit).ToList();
            return new SyncLogPage(items, rows.Count > limit ? Cursor.Encode(items[^1].Id.ToString("N")) : null);
        }, cancellationToken);
    }

    public async Task<Result<ConnectorRecordPage>> ListAsync(Guid tenantId, Guid connectionId, string? entity, int limit, string? cursor, CancellationToken cancellationToken)
    {
        Guid? after = null;
        if (cursor is not null)
        {
            if (!Cursor.TryDecode(cursor, 64, out var key) || !Guid.TryParseExact(key, "N", out var parsed))
            {
                return Problem.Validation("cursor", Cursor.NotOurs);
            }

            after = parsed;
        }

        return await database.InTenantAsync(tenantId, async scope =>
        {
            if (await ConnectionStore.GetAsync(scope, connectionId) is null)
            {
                return (Result<ConnectorRecordPage>)Problem.NotFound("The connection");
            }

            var rows = await ConnectorRecordStore.ListAsync(scope, connectionId, entity, after, limit + 1);
            var items = rows.Take(limit).ToList();
            return new ConnectorRecordPage(items, rows.Count > limit ? Cursor.Encode(items[^1].LocalId.ToString("N")) : null);
        }, cancellationToken);
    }

    private static Task LogInAsync(DbTransactionScope scope, ConnectorContext context, string entity, Guid? localId, string? externalId, string action, string? reason, DateTimeOffset now) =>
        context.SyncId is { } syncId
            ? ConnectorRecordStore.InsertLogAsync(scope, context.TenantId, context.ConnectionId, syncId, entity, localId, externalId, action,
                reason is { Length: > 1000 } ? reason[..1000] : reason, now)
            : Task.CompletedTask;
}
