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

    // The first of the keys (in route order) with a live answer; a hit is written to the ledger in the same
    // statement. That ledger row costs nothing and is all this transaction writes, so it commits without waiting
    // for the WAL flush: a server crash could lose the count of a free call, never money.
    private const string FindAndRecordSql = """
        SELECT set_config('synchronous_commit', 'off', true);
        WITH hit AS (
            SELECT cache_key, model, deployment, response, finish_reason
            FROM ai_response_cache
            WHERE tenant_id = @TenantId AND cache_key = ANY (@Keys) AND expires_at > @Now
            ORDER BY array_position(@Keys, cache_key)
            LIMIT 1),
        recorded AS (
        """ + AiUsageStore.InsertCacheHitSql + """
        )
        SELECT cache_key AS CacheKey, model AS Model, deployment AS Deployment, response AS Response, finish_reason AS FinishReason
        FROM hit
        """;

    // Runs in the settlement's batch; its parameters carry a prefix so they cannot meet the settlement's.
    internal const string StoreSql = """
        DELETE FROM ai_response_cache
        WHERE tenant_id = @CacheTenantId
          AND cache_key IN (SELECT cache_key FROM ai_response_cache WHERE tenant_id = @CacheTenantId AND expires_at <= @CacheNow LIMIT @CachePurgeLimit);
        INSERT INTO ai_response_cache (tenant_id, cache_key, model, deployment, response, finish_reason, created_at, expires_at)
        VALUES (@CacheTenantId, @CacheKey, @CacheModel, @CacheDeployment, @CacheResponse, @CacheFinishReason, @CacheNow, @CacheExpiresAt)
        ON CONFLICT (tenant_id, cache_key) DO UPDATE
        SET model = EXCLUDED.model, deployment = EXCLUDED.deployment, response = EXCLUDED.response,
            finish_reason = EXCLUDED.finish_reason, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
        """;

    /// <summary>
    /// The first of <paramref name="keys"/> (in route order) with a live answer, in one round trip that also writes
    /// <paramref name="hitEntry"/> to the ledger (with the hit's model and deployment) when there is one.
    /// </summary>
    public static Task<AiCachedResponse?> FindAndRecordAsync(
        StreamFlowDatabase database, IReadOnlyList<byte[]> keys, DateTimeOffset now, AiUsageEntry hitEntry, CancellationToken cancellationToken)
    {
        if (hitEntry.CostUsd != 0m || hitEntry.BillableUsd != 0m)
        {
            throw new ArgumentException("A cache hit costs nothing; it is written without a durable commit.", nameof(hitEntry));
        }

        var parameters = AiUsageStore.Parameters(hitEntry, "Usage");
        parameters.AddDynamicParams(new { hitEntry.TenantId, Keys = keys.ToArray(), Now = now });
        return database.InTenantBatchAsync(hitEntry.TenantId, FindAndRecordSql, parameters, async results =>
        {
            await results.ReadAsync<string>();
            return (await results.ReadAsync<AiCachedResponse>()).SingleOrDefault();
        }, cancellationToken);
    }

    internal static DynamicParameters StoreParameters(Guid tenantId, AiCachedResponse response, DateTimeOffset now, DateTimeOffset expiresAt) =>
        new(new
        {
            CacheTenantId = tenantId,
            response.CacheKey,
            CacheModel = response.Model,
            CacheDeployment = response.Deployment,
            CacheResponse = response.Response,
            CacheFinishReason = response.FinishReason,
            CacheNow = now,
            CacheExpiresAt = expiresAt,
            CachePurgeLimit = ExpiredRowsPurgedPerWrite,
        });

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
