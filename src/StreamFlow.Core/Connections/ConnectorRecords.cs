using Dapper;
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

internal static class ConnectorRecordStore
{
    private const string Columns = """
        entity AS Entity, local_id AS LocalId, external_id AS ExternalId, sync_token AS SyncToken, pushed_hash AS PushedHash, remote_status AS RemoteStatus,
        remote_amount AS RemoteAmount, remote_balance AS RemoteBalance, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    private const string FindSql = "SELECT " + Columns + " FROM connector_records WHERE connection_id = @ConnectionId AND entity = @Entity AND local_id = @LocalId";

    private const string FindByExternalSql = "SELECT " + Columns + " FROM connector_records WHERE connection_id = @ConnectionId AND entity = @Entity AND external_id = @ExternalId";

    private const string FindManySql = "SELECT " + Columns + " FROM connector_records WHERE connection_id = @ConnectionId AND entity = @Entity AND local_id = ANY(@LocalIds)";

    private const string ListSql = "SELECT " + Columns + """
         FROM connector_records WHERE connection_id = @ConnectionId AND (@Entity::text IS NULL OR entity = @Entity)
            AND (@After::uuid IS NULL OR local_id < @After)
        ORDER BY local_id DESC LIMIT @Limit
        """;

    private const string UpsertSql = """
        INSERT INTO connector_records (tenant_id, connection_id, entity, local_id, external_id, sync_token, pushed_hash, remote_status, remote_amount,
            remote_balance, created_at, updated_at)
        VALUES (@TenantId, @ConnectionId, @Entity, @LocalId, @ExternalId, @SyncToken, @PushedHash, @RemoteStatus, @RemoteAmount, @RemoteBalance, @Now, @Now)
        ON CONFLICT (tenant_id, connection_id, entity, local_id) DO UPDATE SET external_id = EXCLUDED.external_id, sync_token = EXCLUDED.sync_token,
            pushed_hash = EXCLUDED.pushed_hash, remote_status = EXCLUDED.remote_status, remote_amount = EXCLUDED.remote_amount,
            remote_balance = EXCLUDED.remote_balance, updated_at = EXCLUDED.updated_at
        """;

    private const string InsertLogSql = """
        INSERT INTO connector_sync_log (id, tenant_id, connection_id, sync_id, entity, local_id, external_id, action, reason, at)
        VALUES (@Id, @TenantId, @ConnectionId, @SyncId, @Entity, @LocalId, @ExternalId, @Action, @Reason, @Now)
        """;

    private const string LogSql = """
        SELECT id AS Id, entity AS Entity, local_id AS LocalId, external_id AS ExternalId, action AS Action, reason AS Reason, at AS At
        FROM connector_sync_log WHERE sync_id = @SyncId AND (@After::uuid IS NULL OR id > @After) ORDER BY id LIMIT @Limit
        """;

    public static Task<ConnectorRecord?> FindAsync(DbTransactionScope scope, Guid connectionId, string entity, Guid localId) =>
        scope.Connection.QuerySingleOrDefaultAsync<ConnectorRecord>(scope.Command(FindSql, new { ConnectionId = connectionId, Entity = entity, LocalId = localId }));

    public static Task<ConnectorRecord?> FindByExternalAsync(DbTransactionScope scope, Guid connectionId, string entity, string externalId) =>
        scope.Connection.QuerySingleOrDefaultAsync<ConnectorRecord>(scope.Command(FindByExternalSql, new { ConnectionId = connectionId, Entity = entity, ExternalId = externalId }));

    public static async Task<IReadOnlyList<ConnectorRecord>> FindManyAsync(DbTransactionScope scope, Guid connectionId, string entity, IReadOnlyCollection<Guid> localIds) =>
        (await scope.Connection.QueryAsync<ConnectorRecord>(scope.Command(FindManySql, new { ConnectionId = connectionId, Entity = entity, LocalIds = localIds.ToArray() }))).ToList();

    public static async Task<IReadOnlyList<ConnectorRecord>> ListAsync(DbTransactionScope scope, Guid connectionId, string? entity, Guid? after, int limit) =>
        (await scope.Connection.QueryAsync<ConnectorRecord>(scope.Command(ListSql, new { ConnectionId = connectionId, Entity = entity, After = after, Limit = limit }))).ToList();

    public static Task UpsertAsync(DbTransactionScope scope, Guid tenantId, Guid connectionId, ConnectorRecord record, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(UpsertSql, new
        {
            TenantId = tenantId, ConnectionId = connectionId, record.Entity, record.LocalId, record.ExternalId, record.SyncToken, record.PushedHash,
            record.RemoteStatus, record.RemoteAmount, record.RemoteBalance, Now = now,
        }));

    public static Task InsertLogAsync(DbTransactionScope scope, Guid tenantId, Guid connectionId, Guid syncId, string entity, Guid? localId, string? externalId,
        string action, string? reason, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertLogSql, new
        {
            Id = Guid.CreateVersion7(now), TenantId = tenantId, ConnectionId = connectionId, SyncId = syncId, Entity = entity, LocalId = localId,
            ExternalId = externalId, Action = action, Reason = reason, Now = now,
        }));

    public static async Task<IReadOnlyList<SyncLogEntry>> LogAsync(DbTransactionScope scope, Guid syncId, Guid? after, int limit) =>
        (await scope.Connection.QueryAsync<SyncLogEntry>(scope.Command(LogSql, new { SyncId = syncId, After = after, Limit = limit }))).ToList();
}
