using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Identity.Throttling;

/// <summary>The SQL of failed logins per hashed key (account or IP; a platform table), in the caller's transaction.</summary>
internal static class LoginFailureStore
{
    private const string StatsSql = """
        SELECT count(*) AS Failures, max(failed_at) AS LastFailure, min(failed_at) AS FirstFailure
        FROM login_failures WHERE key_hash = @Key AND failed_at > @Since
        """;

    private const string RecordSql = "INSERT INTO login_failures (key_hash, failed_at) VALUES (@Key, @Now)";

    private const string ClearSql = "DELETE FROM login_failures WHERE key_hash = @Key";

    private const string PruneSql = "DELETE FROM login_failures WHERE failed_at < @Before";

    public static Task<(long Failures, DateTime? LastFailure, DateTime? FirstFailure)> StatsAsync(DbTransactionScope scope, byte[] key, DateTimeOffset since) =>
        scope.Connection.QuerySingleAsync<(long Failures, DateTime? LastFailure, DateTime? FirstFailure)>(scope.Command(StatsSql, new { Key = key, Since = since }));

    public static Task<int> RecordAsync(DbTransactionScope scope, byte[] key, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(RecordSql, new { Key = key, Now = now }));

    public static Task<int> ClearAsync(DbTransactionScope scope, byte[] key) =>
        scope.Connection.ExecuteAsync(scope.Command(ClearSql, new { Key = key }));

    public static Task<int> PruneAsync(DbTransactionScope scope, DateTimeOffset before) =>
        scope.Connection.ExecuteAsync(scope.Command(PruneSql, new { Before = before }));
}
