using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Webhooks;

/// <summary>The SQL of a tenant's webhook retry settings (one row, absent until set); runs in the caller's tenant transaction.</summary>
internal static class WebhookSettingsStore
{
    private const string GetSql = """
        SELECT retry_delays_seconds AS RetryDelaysSeconds, max_attempts AS MaxAttempts FROM webhook_settings
        """;

    private const string UpsertSql = """
        INSERT INTO webhook_settings (tenant_id, retry_delays_seconds, max_attempts, updated_at)
        VALUES (@TenantId, @RetryDelaysSeconds::integer[], @MaxAttempts::integer, @Now)
        ON CONFLICT (tenant_id) DO UPDATE SET
            retry_delays_seconds = EXCLUDED.retry_delays_seconds, max_attempts = EXCLUDED.max_attempts, updated_at = EXCLUDED.updated_at
        """;

    public static Task<(int[]? RetryDelaysSeconds, int? MaxAttempts)?> FindAsync(DbTransactionScope scope) =>
        scope.Connection.QuerySingleOrDefaultAsync<(int[]? RetryDelaysSeconds, int? MaxAttempts)?>(scope.Command(GetSql));

    public static Task<int> UpsertAsync(DbTransactionScope scope, Guid tenantId, int[]? retryDelaysSeconds, int? maxAttempts, DateTimeOffset now) =>
        scope.Connection.ExecuteAsync(scope.Command(UpsertSql, new
        {
            TenantId = tenantId, RetryDelaysSeconds = retryDelaysSeconds, MaxAttempts = maxAttempts, Now = now,
        }));
}
