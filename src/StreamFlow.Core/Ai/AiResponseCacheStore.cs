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

    // The tenant's settings (they decide whether the keys of the prompt as written or as redacted apply) and the
    // first of those keys (in route order) with a live answer; a hit is written to the ledger in the same statement.
    // That ledger row costs nothing and is all this transaction writes, so it commits without waiting for the WAL
    // flush: a server crash could lose the count of a free call, never money.
    private const string FindAndRecordSql = """
        SELECT set_config('synchronous_commit', 'off', true);
        WITH settings AS (
            SELECT s.daily_limit_usd, s.monthly_limit_usd, coalesce(s.markup_rate, 0) AS markup_rate,
                   coalesce(s.allow_personal_data, false) AS allow_personal_data,
                   CASE WHEN coalesce(s.allow_personal_data, false) THEN @KeysAsWritten ELSE @KeysRedacted END AS keys
            FROM (VALUES (1)) AS one (x) LEFT JOIN ai_tenant_settings s ON s.tenant_id = @TenantId),
        hit AS (
            SELECT c.cache_key, c.model, c.deployment, c.response, c.finish_reason
            FROM ai_response_cache c CROSS JOIN settings st
            WHERE c.tenant_id = @TenantId AND c.cache_key = ANY (st.keys) AND c.expires_at > @Now
            ORDER BY array_position(st.keys, c.cache_key)
            LIMIT 1),
        recorded AS (
        """ + AiUsageStore.InsertCacheHitSql + """
        )
        SELECT st.daily_limit_usd AS DailyLimitUsd, st.monthly_limit_usd AS MonthlyLimitUsd, st.markup_rate AS MarkupRate,
               st.allow_personal_data AS AllowPersonalData, h.cache_key AS CacheKey, h.model AS Model, h.deployment AS Deployment,
               h.response AS Response, h.finish_reason AS FinishReason
        FROM settings st LEFT JOIN hit h ON true
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
    /// The tenant's settings and the first live answer under the keys they select (in route order), in one round
    /// trip that also writes <paramref name="hitEntry"/> to the ledger (with the hit's model and deployment and the
    /// tenant's markup) when there is one.
    /// </summary>
    public static Task<(AiTenantSettings Settings, AiCachedResponse? Hit)> FindAndRecordAsync(
        StreamFlowDatabase database,
        (IReadOnlyList<byte[]> AsWritten, IReadOnlyList<byte[]> Redacted) keys,
        DateTimeOffset now,
        AiUsageEntry hitEntry,
        CancellationToken cancellationToken)
    {
        if (hitEntry.CostUsd != 0m || hitEntry.BillableUsd != 0m)
        {
            throw new ArgumentException("A cache hit costs nothing; it is written without a durable commit.", nameof(hitEntry));
        }

        var parameters = AiUsageStore.Parameters(hitEntry, "Usage");
        parameters.AddDynamicParams(new { hitEntry.TenantId, KeysAsWritten = keys.AsWritten.ToArray(), KeysRedacted = keys.Redacted.ToArray(), Now = now });
        return database.InTenantBatchAsync(hitEntry.TenantId, FindAndRecordSql, parameters, async results =>
        {
            await results.ReadAsync<string>();
            var row = await results.ReadSingleAsync<LookupRow>();
            var settings = new AiTenantSettings(row.DailyLimitUsd, row.MonthlyLimitUsd, row.MarkupRate, row.AllowPersonalData);
            var hit = row.CacheKey is null ? null : new AiCachedResponse(row.CacheKey, row.Model!, row.Deployment!, row.Response!, row.FinishReason);
            return (settings, hit);
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

    private sealed record LookupRow(
        decimal? DailyLimitUsd, decimal? MonthlyLimitUsd, decimal MarkupRate, bool AllowPersonalData,
        byte[]? CacheKey, string? Model, string? Deployment, string? Response, string? FinishReason);
}
