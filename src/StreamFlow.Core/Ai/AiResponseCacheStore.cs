using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using StreamFlow.Core.Database;

namespace StreamFlow.Core.Ai;

internal sealed record AiCachedResponse(byte[] CacheKey, string Model, string Deployment, string Response, string? FinishReason);

/// <summary>The SQL of the per-tenant response cache for deterministic calls.</summary>
internal static class AiResponseCacheStore
{
    // Expired rows of the tenant are dropped a few at a time as new answers are written, so the table cannot grow
    // without bound and no cross-tenant sweep is needed.
    private const int ExpiredRowsPurgedPerWrite = 20;

    private const string FindSql = """
        SELECT cache_key AS CacheKey, model AS Model, deployment AS Deployment, response AS Response, finish_reason AS FinishReason
        FROM ai_response_cache
        WHERE tenant_id = @TenantId AND cache_key = ANY (@Keys) AND expires_at > @Now
        """;

    private const string UpsertSql = """
        INSERT INTO ai_response_cache (tenant_id, cache_key, model, deployment, response, finish_reason, created_at, expires_at)
        VALUES (@TenantId, @CacheKey, @Model, @Deployment, @Response, @FinishReason, @Now, @ExpiresAt)
        ON CONFLICT (tenant_id, cache_key) DO UPDATE
        SET model = EXCLUDED.model, deployment = EXCLUDED.deployment, response = EXCLUDED.response,
            finish_reason = EXCLUDED.finish_reason, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
        """;

    private const string PurgeExpiredSql = """
        DELETE FROM ai_response_cache
        WHERE tenant_id = @TenantId
          AND cache_key IN (SELECT cache_key FROM ai_response_cache WHERE tenant_id = @TenantId AND expires_at <= @Now LIMIT @Limit)
        """;

    /// <summary>The first of <paramref name="keys"/> (in route order) with a live answer.</summary>
    public static async Task<AiCachedResponse?> FindAsync(DbTransactionScope scope, Guid tenantId, IReadOnlyList<byte[]> keys, DateTimeOffset now)
    {
        var hits = (await scope.Connection.QueryAsync<AiCachedResponse>(
            scope.Command(FindSql, new { TenantId = tenantId, Keys = keys.ToArray(), Now = now }))).ToList();
        return keys.Select(key => hits.FirstOrDefault(hit => hit.CacheKey.AsSpan().SequenceEqual(key))).FirstOrDefault(hit => hit is not null);
    }

    public static async Task StoreAsync(DbTransactionScope scope, Guid tenantId, AiCachedResponse response, DateTimeOffset now, DateTimeOffset expiresAt)
    {
        await scope.Connection.ExecuteAsync(scope.Command(PurgeExpiredSql, new { TenantId = tenantId, Now = now, Limit = ExpiredRowsPurgedPerWrite }));
        await scope.Connection.ExecuteAsync(scope.Command(UpsertSql, new
        {
            TenantId = tenantId,
            response.CacheKey,
            response.Model,
            response.Deployment,
            response.Response,
            response.FinishReason,
            Now = now,
            ExpiresAt = expiresAt,
        }));
    }

    /// <summary>SHA-256 over the model, the parameters that shape the answer and the messages (as sent, after redaction).</summary>
    public static byte[] KeyFor(string model, IReadOnlyList<AiMessage> messages, int maxOutputTokens, float temperature)
    {
        var canonical = JsonSerializer.SerializeToUtf8Bytes(new CacheKeyMaterial(
            1, model, maxOutputTokens, temperature, messages.Select(m => new CacheKeyMessage(m.Role.ToString(), m.Content)).ToArray()));
        return SHA256.HashData(canonical);
    }

    private sealed record CacheKeyMaterial(int Version, string Model, int MaxOutputTokens, float Temperature, CacheKeyMessage[] Messages);

    private sealed record CacheKeyMessage(string Role, string Content);
}
