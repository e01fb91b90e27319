using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Federation.Members;

/// <summary>The member instances a hub pulls from and their last answers (0101_federation_members.sql).</summary>
internal static class FederationMemberStore
{
    private const string Columns = """
        m.id AS Id, m.name AS Name, m.base_url AS BaseUrl, m.key_id AS KeyId, m.algorithm AS Algorithm, m.signing_key AS SigningKey,
        m.created_at AS CreatedAt, m.last_attempt_at AS LastAttemptAt, m.last_success_at AS LastSuccessAt, m.last_error AS LastError,
        m.consecutive_failures AS ConsecutiveFailures,
        (SELECT count(*) FROM federation_member_clients c WHERE c.member_id = m.id) AS Clients
        """;

    private const string InsertSql = """
        INSERT INTO federation_members (id, name, base_url, key_id, algorithm, signing_key, created_at)
        VALUES (@Id, @Name, @BaseUrl, @KeyId, @Algorithm, @SigningKey, @CreatedAt)
        ON CONFLICT (name) DO NOTHING
        """;

    private const string ListSql = "SELECT " + Columns + " FROM federation_members m ORDER BY m.name";

    private const string FindSql = "SELECT " + Columns + " FROM federation_members m WHERE m.id = @Id";

    private const string RecordSuccessSql = """
        UPDATE federation_members
        SET last_attempt_at = @At, last_success_at = @At, last_error = NULL, consecutive_failures = 0
        WHERE id = @Id;
        DELETE FROM federation_member_clients WHERE member_id = @Id;
        INSERT INTO federation_member_clients (member_id, remote_tenant_id, summary, as_of)
        SELECT @Id, (client->>'tenantId')::uuid, client, @AsOf
        FROM jsonb_array_elements(@Clients::jsonb) AS client;
        """;

    private const string RecordFailureSql = """
        UPDATE federation_members
        SET last_attempt_at = @At, last_error = @Error, consecutive_failures = consecutive_failures + 1
        WHERE id = @Id
        """;

    private const string RemoteClientsSql = """
        SELECT c.member_id AS MemberId, c.summary::text AS Summary, c.as_of AS AsOf
        FROM federation_member_clients c
        ORDER BY c.member_id, c.summary->>'name', c.remote_tenant_id
        """;

    /// <summary>False when the name is taken.</summary>
    public static async Task<bool> InsertAsync(DbTransactionScope scope, FederationMemberRow member) =>
        await scope.Connection.ExecuteAsync(scope.Command(InsertSql, member)) == 1;

    public static async Task<IReadOnlyList<FederationMemberRow>> ListAsync(DbTransactionScope scope) =>
        (await scope.Connection.QueryAsync<FederationMemberRow>(scope.Command(ListSql))).AsList();

    public static Task<FederationMemberRow?> FindAsync(DbTransactionScope scope, Guid id) =>
        scope.Connection.QuerySingleOrDefaultAsync<FederationMemberRow>(scope.Command(FindSql, new { Id = id }));

    /// <param name="clients">The member's client summaries as a JSON array, each with its <c>tenantId</c>.</param>
    public static Task RecordSuccessAsync(DbTransactionScope scope, Guid id, DateTimeOffset at, DateTimeOffset asOf, string clients) =>
        scope.Connection.ExecuteAsync(scope.Command(RecordSuccessSql, new { Id = id, At = at, AsOf = asOf, Clients = clients }));

    public static Task RecordFailureAsync(DbTransactionScope scope, Guid id, DateTimeOffset at, string error) =>
        scope.Connection.ExecuteAsync(scope.Command(RecordFailureSql, new { Id = id, At = at, Error = error }));

    public static async Task<IReadOnlyList<RemoteClientRow>> RemoteClientsAsync(DbTransactionScope scope) =>
        (await scope.Connection.QueryAsync<RemoteClientRow>(scope.Command(RemoteClientsSql))).AsList();
}

internal sealed record FederationMemberRow
{
    public Guid Id { get; init; }
    public string Name { get; init; } = "";
    public string BaseUrl { get; init; } = "";
    public string KeyId { get; init; } = "";
    public string Algorithm { get; init; } = "";
    public byte[] SigningKey { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? LastAttemptAt { get; init; }
    public DateTimeOffset? LastSuccessAt { get; init; }
    public string? LastError { get; init; }
    public int ConsecutiveFailures { get; init; }
    public long Clients { get; init; }
}

internal sealed record RemoteClientRow
{
    public Guid MemberId { get; init; }
    public string Summary { get; init; } = "{}";
    public DateTimeOffset AsOf { get; init; }
}
