using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Federation;

/// <summary>The keys peers sign with and the nonces they spent (0100_federation.sql); platform-wide tables.</summary>
internal static class FederationKeyStore
{
    private const string Columns = """
        key_id AS KeyId, peer_name AS PeerName, algorithm AS Algorithm, material AS Material, valid_from AS ValidFrom,
        valid_until AS ValidUntil, created_at AS CreatedAt
        """;

    private const string FindSql = "SELECT " + Columns + " FROM federation_keys WHERE key_id = @KeyId";

    private const string ListSql = "SELECT " + Columns + " FROM federation_keys ORDER BY created_at DESC, key_id";

    private const string InsertSql = """
        INSERT INTO federation_keys (key_id, peer_name, algorithm, material, valid_from, valid_until, created_at)
        VALUES (@KeyId, @PeerName, @Algorithm, @Material, @ValidFrom, NULL, @CreatedAt)
        ON CONFLICT (key_id) DO NOTHING
        """;

    private const string RetireSql = """
        UPDATE federation_keys SET valid_until = GREATEST(valid_from, @ValidUntil)
        WHERE key_id = @KeyId AND (valid_until IS NULL OR valid_until > @ValidUntil)
        RETURNING 
        """ + Columns;

    private const string RecordNonceSql = """
        INSERT INTO federation_nonces (key_id, nonce, forget_after) VALUES (@KeyId, @Nonce, @ForgetAfter)
        ON CONFLICT (key_id, nonce) DO NOTHING
        """;

    private const string PruneNoncesSql = "DELETE FROM federation_nonces WHERE forget_after < @Now";

    public static Task<FederationKeyRow?> FindAsync(DbTransactionScope scope, string keyId) =>
        scope.Connection.QuerySingleOrDefaultAsync<FederationKeyRow>(scope.Command(FindSql, new { KeyId = keyId }));

    public static async Task<IReadOnlyList<FederationKeyRow>> ListAsync(DbTransactionScope scope) =>
        (await scope.Connection.QueryAsync<FederationKeyRow>(scope.Command(ListSql))).AsList();

    /// <summary>False when the key id is taken.</summary>
    public static async Task<bool> InsertAsync(DbTransactionScope scope, FederationKeyRow key) =>
        await scope.Connection.ExecuteAsync(scope.Command(InsertSql, key)) == 1;

    public static Task<FederationKeyRow?> RetireAsync(DbTransactionScope scope, string keyId, DateTimeOffset validUntil) =>
        scope.Connection.QuerySingleOrDefaultAsync<FederationKeyRow>(scope.Command(RetireSql, new { KeyId = keyId, ValidUntil = validUntil }));

    /// <summary>False when the nonce is already recorded for this key.</summary>
    public static async Task<bool> RecordNonceAsync(DbTransactionScope scope, string keyId, string nonce, DateTimeOffset forgetAfter) =>
        await scope.Connection.ExecuteAsync(scope.Command(RecordNonceSql, new { KeyId = keyId, Nonce = nonce, ForgetAfter = forgetAfter })) == 1;

    public static Task<int> PruneNoncesAsync(DbTransactionScope scope, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(PruneNoncesSql, new { Now = now }));
}

internal sealed record FederationKeyRow
{
    public string KeyId { get; init; } = "";
    public string PeerName { get; init; } = "";
    public string Algorithm { get; init; } = "";
    public byte[] Material { get; init; } = [];
    public DateTimeOffset ValidFrom { get; init; }
    public DateTimeOffset? ValidUntil { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
