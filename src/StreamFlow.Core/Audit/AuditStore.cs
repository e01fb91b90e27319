using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Audit;

/// <summary>
/// The SQL of the hash-chained audit log and its single chain-head row. Runs in the caller's transaction: a tenant's
/// for its own entries, the platform's (with the chain scope) for verifying the whole chain.
/// </summary>
internal static class AuditStore
{
    private const string LockHeadSql = "SELECT last_sequence AS LastSequence, last_hash AS LastHash FROM audit_chain_head WHERE id = 1 FOR UPDATE";

    private const string InsertSql = """
        INSERT INTO audit_log (sequence, system, tenant_id, actor, action, target, outcome, ip, user_agent, occurred_at, details, prev_hash, hash)
        VALUES (@Sequence, @System, @TenantId, @Actor, @Action, @Target, @Outcome, @Ip, @UserAgent, @OccurredAt, @Details::jsonb, @PrevHash, @Hash)
        """;

    private const string MoveHeadSql = "UPDATE audit_chain_head SET last_sequence = @Sequence, last_hash = @Hash WHERE id = 1";

    private const string HeadSql = "SELECT last_sequence AS LastSequence, last_hash AS LastHash FROM audit_chain_head WHERE id = 1";

    private const string ChainScopeSql = "SELECT set_config('app.audit_scope', 'chain', true)";

    private const string EntriesSql = """
        SELECT sequence AS Sequence, system AS System, tenant_id AS TenantId, actor AS Actor, action AS Action, target AS Target,
               outcome AS Outcome, ip AS Ip, user_agent AS UserAgent, occurred_at AS OccurredAt, details::text AS Details,
               prev_hash AS PrevHash, hash AS Hash
        FROM audit_log ORDER BY sequence
        """;

    private const string PageSql = """
        SELECT sequence, system, actor, action, target, outcome, ip, user_agent, occurred_at, details::text
        FROM audit_log
        WHERE (@Before IS NULL OR sequence < @Before)
        ORDER BY sequence DESC
        LIMIT @Limit
        """;

    /// <summary>The chain head, locked until the transaction ends: appends are numbered one at a time.</summary>
    public static Task<(long LastSequence, byte[] LastHash)> LockHeadAsync(DbTransactionScope scope) =>
        scope.Connection.QuerySingleAsync<(long LastSequence, byte[] LastHash)>(scope.Command(LockHeadSql));

    public static Task<(long LastSequence, byte[] LastHash)> HeadAsync(DbTransactionScope scope) =>
        scope.Connection.QuerySingleAsync<(long LastSequence, byte[] LastHash)>(scope.Command(HeadSql));

    /// <summary>Inserts one entry; <paramref name="entry"/> carries every column of audit_log.</summary>
    public static Task<int> InsertAsync(DbTransactionScope scope, object entry) =>
        scope.Connection.ExecuteAsync(scope.Command(InsertSql, entry));

    public static Task<int> MoveHeadAsync(DbTransactionScope scope, long sequence, byte[] hash) =>
        scope.Connection.ExecuteAsync(scope.Command(MoveHeadSql, new { Sequence = sequence, Hash = hash }));

    /// <summary>Lets this transaction read every tenant's entries (the audit_log policy's chain scope).</summary>
    public static Task<int> EnterChainScopeAsync(DbTransactionScope scope) =>
        scope.Connection.ExecuteAsync(scope.Command(ChainScopeSql));

    /// <summary>Every entry in sequence order, streamed.</summary>
    public static IAsyncEnumerable<AuditChainVerifier.StoredRow> EntriesInOrder(DbTransactionScope scope) =>
        scope.Connection.QueryUnbufferedAsync<AuditChainVerifier.StoredRow>(EntriesSql, transaction: scope.Transaction);

    public static Task<IEnumerable<(long Sequence, string System, string Actor, string Action, string? Target, string Outcome, string? Ip, string? UserAgent, DateTime OccurredAt, string Details)>> PageAsync(
        DbTransactionScope scope, long? before, int limit) =>
        scope.Connection.QueryAsync<(long Sequence, string System, string Actor, string Action, string? Target, string Outcome, string? Ip, string? UserAgent, DateTime OccurredAt, string Details)>(
            scope.Command(PageSql, new { Before = before, Limit = limit }));
}
