using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Connections;

internal static class ConnectionStore
{
    private const string Columns = """
        id AS Id, tenant_id AS TenantId, kind AS Kind, name AS Name, settings::text AS Settings, credentials_ciphertext AS CredentialsCiphertext,
        schedule AS Schedule, enabled AS Enabled, health AS Health, sync_cursor AS SyncCursor, next_sync_at AS NextSyncAt,
        last_sync_at AS LastSyncAt, last_success_at AS LastSuccessAt, items_seen AS ItemsSeen, leads_created AS LeadsCreated,
        leads_updated AS LeadsUpdated, items_skipped AS ItemsSkipped, items_failed AS ItemsFailed, last_error AS LastError,
        last_error_kind AS LastErrorKind, last_error_at AS LastErrorAt, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    private const string SyncColumns = """
        id AS Id, tenant_id AS TenantId, connection_id AS ConnectionId, trigger AS Trigger, status AS Status, pages AS Pages,
        items_seen AS ItemsSeen, leads_created AS LeadsCreated, leads_updated AS LeadsUpdated, items_skipped AS ItemsSkipped,
        items_failed AS ItemsFailed, retries AS Retries, waiting_until AS WaitingUntil, cursor_after AS CursorAfter, error AS Error,
        error_kind AS ErrorKind, created_at AS CreatedAt, started_at AS StartedAt, finished_at AS FinishedAt
        """;

    private const string InsertSql = """
        INSERT INTO connections (id, tenant_id, kind, name, settings, credentials_ciphertext, schedule, enabled, next_sync_at, created_at, updated_at)
        VALUES (@Id, @TenantId, @Kind, @Name, @Settings::jsonb, @CredentialsCiphertext, @Schedule, @Enabled, @NextSyncAt, @Now, @Now)
        RETURNING
        """ + " " + Columns;

    private const string GetSql = "SELECT " + Columns + " FROM connections WHERE id = @Id";

    private const string LockSql = "SELECT " + Columns + " FROM connections WHERE id = @Id FOR UPDATE";

    private const string ListSql = "SELECT " + Columns + " FROM connections WHERE (@After::uuid IS NULL OR id < @After) ORDER BY id DESC LIMIT @Limit";

    private const string UpdateSql = """
        UPDATE connections SET name = @Name, settings = @Settings::jsonb, credentials_ciphertext = @CredentialsCiphertext, schedule = @Schedule,
            enabled = @Enabled, health = @Health, next_sync_at = @NextSyncAt, updated_at = @Now
        WHERE id = @Id
        RETURNING
        """ + " " + Columns;

    private const string DeleteSql = "DELETE FROM connections WHERE id = @Id";

    private const string DueSql = "SELECT due_tenant_id AS TenantId, due_connection_id AS ConnectionId FROM connections_due(@Now, @Max)";

    private const string OpenSyncSql = """
        INSERT INTO connection_syncs (id, tenant_id, connection_id, trigger, status, created_at)
        VALUES (@Id, @TenantId, @ConnectionId, @Trigger, 'pending', @Now)
        ON CONFLICT (connection_id) WHERE status IN ('pending', 'running') DO NOTHING
        RETURNING
        """ + " " + SyncColumns;

    private const string ActiveSyncSql = "SELECT " + SyncColumns + " FROM connection_syncs WHERE connection_id = @ConnectionId AND status IN ('pending', 'running')";

    private const string GetSyncSql = "SELECT " + SyncColumns + " FROM connection_syncs WHERE id = @Id AND connection_id = @ConnectionId";

    private const string ListSyncsSql = """
        SELECT
        """ + " " + SyncColumns + " " + """
        FROM connection_syncs WHERE connection_id = @ConnectionId AND (@After::uuid IS NULL OR id < @After) ORDER BY id DESC LIMIT @Limit
        """;

    private const string StartSyncSql = """
        UPDATE connection_syncs SET status = 'running', started_at = COALESCE(started_at, @Now), cursor_after = @CursorAfter
        WHERE id = @Id AND status IN ('pending', 'running')
        """;

    private const string RecordPageSql = """
        UPDATE connection_syncs SET pages = pages + 1, items_seen = items_seen + @ItemsSeen, leads_created = leads_created + @LeadsCreated,
            leads_updated = leads_updated + @LeadsUpdated, items_skipped = items_skipped + @ItemsSkipped, items_failed = items_failed + @ItemsFailed,
            waiting_until = NULL
        WHERE id = @Id AND status = 'running'
        """;

    private const string RecordWaitSql = "UPDATE connection_syncs SET retries = retries + 1, waiting_until = @WaitingUntil, error = @Error, error_kind = @ErrorKind WHERE id = @Id AND status = 'running'";

    private const string FinishSyncSql = """
        UPDATE connection_syncs SET status = @Status, error = @Error, error_kind = @ErrorKind, waiting_until = NULL, finished_at = @Now
        WHERE id = @Id AND status IN ('pending', 'running')
        RETURNING
        """ + " " + SyncColumns;

    private const string RecordSyncOnConnectionSql = """
        UPDATE connections SET
            last_sync_at = @Now,
            last_success_at = CASE WHEN @Succeeded THEN @Now ELSE last_success_at END,
            sync_cursor = CASE WHEN @Succeeded THEN COALESCE(@CursorAfter, sync_cursor) ELSE sync_cursor END,
            health = @Health,
            next_sync_at = @NextSyncAt,
            items_seen = items_seen + @ItemsSeen, leads_created = leads_created + @LeadsCreated, leads_updated = leads_updated + @LeadsUpdated,
            items_skipped = items_skipped + @ItemsSkipped, items_failed = items_failed + @ItemsFailed,
            last_error = CASE WHEN @Succeeded THEN last_error ELSE @Error END,
            last_error_kind = CASE WHEN @Succeeded THEN last_error_kind ELSE @ErrorKind END,
            last_error_at = CASE WHEN @Succeeded THEN last_error_at ELSE @Now END,
            updated_at = @Now
        WHERE id = @Id
        """;

    private const string UpdateCredentialsSql = "UPDATE connections SET credentials_ciphertext = @CredentialsCiphertext, updated_at = @Now WHERE id = @Id";

    // New tokens mend a broken connection and make a scheduled one due at once.
    private const string AuthorizeSql = """
        UPDATE connections SET settings = @Settings::jsonb, credentials_ciphertext = @CredentialsCiphertext,
            health = CASE WHEN health = 'broken' THEN 'new' ELSE health END,
            next_sync_at = CASE WHEN enabled AND schedule <> 'manual' THEN @Now ELSE next_sync_at END, updated_at = @Now
        WHERE id = @Id
        """;

    private const string RequestSyncSql = """
        UPDATE connections SET next_sync_at = LEAST(COALESCE(next_sync_at, @Now), @Now), updated_at = @Now
        WHERE id = @Id AND enabled AND health <> 'broken' AND schedule <> 'manual'
        """;

    private const string FindByRealmSql = "SELECT found_tenant_id AS TenantId, found_connection_id AS ConnectionId FROM connections_find_by_realm(@Kind, @Realm)";

    public static Task UpdateCredentialsAsync(DbTransactionScope scope, Guid id, byte[] credentialsCiphertext, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(UpdateCredentialsSql, new { Id = id, CredentialsCiphertext = credentialsCiphertext, Now = now }));

    public static Task AuthorizeAsync(DbTransactionScope scope, Guid id, string settings, byte[] credentialsCiphertext, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(AuthorizeSql, new { Id = id, Settings = settings, CredentialsCiphertext = credentialsCiphertext, Now = now }));

    /// <summary>Brings a scheduled connection's next sync forward to now (the timer starts it); false when it is disabled, broken or manual.</summary>
    public static async Task<bool> RequestSyncAsync(DbTransactionScope scope, Guid id, DateTimeOffset now) =>
        await scope.Connection.ExecuteAsync(scope.Command(RequestSyncSql, new { Id = id, Now = now })) == 1;

    public static async Task<IReadOnlyList<DueConnection>> FindByRealmAsync(DbTransactionScope scope, string kind, string realm) =>
        (await scope.Connection.QueryAsync<DueConnection>(scope.Command(FindByRealmSql, new { Kind = kind, Realm = realm }))).ToList();

    public static Task<ConnectionRow> InsertAsync(DbTransactionScope scope, ConnectionRow row, DateTimeOffset now) =>
        scope.Connection.QuerySingleAsync<ConnectionRow>(scope.Command(InsertSql, new
        {
            row.Id, row.TenantId, row.Kind, row.Name, row.Settings, row.CredentialsCiphertext, row.Schedule, row.Enabled, row.NextSyncAt, Now = now,
        }));

    public static Task<ConnectionRow?> GetAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<ConnectionRow>(scope.Command(GetSql, new { Id = id }));

    public static Task<ConnectionRow?> LockAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<ConnectionRow>(scope.Command(LockSql, new { Id = id }));

    public static async Task<IReadOnlyList<ConnectionRow>> ListAsync(DbTransactionScope scope, Guid? after, int limit) =>
        (await scope.Connection.QueryAsync<ConnectionRow>(scope.Command(ListSql, new { After = after, Limit = limit }))).ToList();

    public static Task<ConnectionRow> UpdateAsync(DbTransactionScope scope, ConnectionRow row, DateTimeOffset now) =>
        scope.Connection.QuerySingleAsync<ConnectionRow>(scope.Command(UpdateSql, new
        {
            row.Id, row.Name, row.Settings, row.CredentialsCiphertext, row.Schedule, row.Enabled, row.Health, row.NextSyncAt, Now = now,
        }));

    public static async Task<bool> DeleteAsync(DbTransactionScope scope, Guid id) =>
        await scope.Connection.ExecuteAsync(scope.Command(DeleteSql, new { Id = id })) == 1;

    public static async Task<IReadOnlyList<DueConnection>> DueAsync(DbTransactionScope scope, DateTimeOffset now, int max) =>
        (await scope.Connection.QueryAsync<DueConnection>(scope.Command(DueSql, new { Now = now, Max = max }))).ToList();

    public static Task<ConnectionSyncRow?> OpenSyncAsync(DbTransactionScope scope, Guid tenantId, Guid connectionId, Guid syncId, string trigger, DateTimeOffset now) =>
        scope.Connection.QuerySingleOrDefaultAsync<ConnectionSyncRow>(scope.Command(OpenSyncSql, new
        {
            Id = syncId, TenantId = tenantId, ConnectionId = connectionId, Trigger = trigger, Now = now,
        }));

    public static Task<ConnectionSyncRow?> ActiveSyncAsync(DbTransactionScope scope, Guid connectionId) =>
        scope.Connection.QuerySingleOrDefaultAsync<ConnectionSyncRow>(scope.Command(ActiveSyncSql, new { ConnectionId = connectionId }));

    public static Task<ConnectionSyncRow?> GetSyncAsync(DbTransactionScope scope, Guid connectionId, Guid syncId) =>
        scope.Connection.QuerySingleOrDefaultAsync<ConnectionSyncRow>(scope.Command(GetSyncSql, new { Id = syncId, ConnectionId = connectionId }));

    public static async Task<IReadOnlyList<ConnectionSyncRow>> ListSyncsAsync(DbTransactionScope scope, Guid connectionId, Guid? after, int limit) =>
        (await scope.Connection.QueryAsync<ConnectionSyncRow>(scope.Command(ListSyncsSql, new { ConnectionId = connectionId, After = after, Limit = limit }))).ToList();

    public static Task StartSyncAsync(DbTransactionScope scope, Guid syncId, string? cursorAfter, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(StartSyncSql, new { Id = syncId, CursorAfter = cursorAfter, Now = now }));

    public static Task RecordPageAsync(DbTransactionScope scope, Guid syncId, ConnectorPage page) =>
        scope.Connection.ExecuteAsync(scope.Command(RecordPageSql, new
        {
            Id = syncId, page.ItemsSeen, page.LeadsCreated, page.LeadsUpdated, page.ItemsSkipped, page.ItemsFailed,
        }));

    public static Task RecordWaitAsync(DbTransactionScope scope, Guid syncId, DateTimeOffset waitingUntil, string error, string errorKind) =>
        scope.Connection.ExecuteAsync(scope.Command(RecordWaitSql, new { Id = syncId, WaitingUntil = waitingUntil, Error = error, ErrorKind = errorKind }));

    public static Task<ConnectionSyncRow?> FinishSyncAsync(DbTransactionScope scope, Guid syncId, string status, string? error, string? errorKind, DateTimeOffset now) =>
        scope.Connection.QuerySingleOrDefaultAsync<ConnectionSyncRow>(scope.Command(FinishSyncSql, new
        {
            Id = syncId, Status = status, Error = error, ErrorKind = errorKind, Now = now,
        }));

    public static Task RecordSyncOnConnectionAsync(
        DbTransactionScope scope, ConnectionSyncRow sync, string health, DateTimeOffset? nextSyncAt, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(RecordSyncOnConnectionSql, new
        {
            Id = sync.ConnectionId, Succeeded = sync.Status == "completed", sync.CursorAfter, Health = health, NextSyncAt = nextSyncAt,
            sync.ItemsSeen, sync.LeadsCreated, sync.LeadsUpdated, sync.ItemsSkipped, sync.ItemsFailed, sync.Error, sync.ErrorKind, Now = now,
        }));
}
