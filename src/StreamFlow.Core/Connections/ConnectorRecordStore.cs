using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Connections;

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
